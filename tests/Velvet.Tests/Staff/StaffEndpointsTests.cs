using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Staff;

public abstract class StaffEndpointsTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task Staff_lists_the_company_only_and_filters_by_ids()
    {
        var world = await TestWorld.CreateAsync(App);
        var other = await TestWorld.CreateAsync(App);

        var all = (await Api.Get("/api/v1/staff.json", ("auth_token", world.HostToken))).AssertOk().Json;
        Assert.Equal(new[] { world.Admin.Id, world.Host.Id }.Order(), all.EnumerateArray().Select(u => u.GetProperty("id").GetInt32()).Order());

        var some = (await Api.Get("/api/v1/staff", ("auth_token", world.HostToken), ("ids[]", $"{world.Admin.Id}"), ("ids[]", $"{other.Admin.Id}")))
            .AssertOk().Json;
        Assert.Equal([world.Admin.Id], some.EnumerateArray().Select(u => u.GetProperty("id").GetInt32()));

        var user = some[0];
        Assert.Equal("Management", user.GetProperty("department_name").GetString());
        // A host at one venue sees the admin's venues only where the host works too.
        Assert.Equal([world.VenueA.Id], user.GetProperty("all_venues").EnumerateArray().Select(v => v.GetProperty("id").GetInt32()));
        Assert.True(user.GetProperty("user_image").GetProperty("photo").TryGetProperty("thumb_100", out _));
    }

    [DbFact]
    public async Task Profile_shows_the_permissions_struct_and_home_venue()
    {
        var world = await TestWorld.CreateAsync(App);

        var profile = (await Api.Get("/api/v1/profile.json", ("auth_token", world.HostToken))).AssertOk().Json;

        Assert.Equal(world.Host.Id, profile.GetProperty("id").GetInt32());
        Assert.Equal("VIP Host", profile.GetProperty("department_name").GetString());
        var venue = Assert.Single(profile.GetProperty("all_venues").EnumerateArray());
        Assert.Equal(1, venue.GetProperty("home").GetInt32());
        var contactAbilities = profile.GetProperty("permissions_struct").GetProperty("Contact").EnumerateArray().Select(a => a.GetString());
        Assert.Contains("read", contactAbilities);
        Assert.False(profile.GetProperty("permissions_struct").TryGetProperty("Export", out _));
    }

    [DbFact]
    public async Task Signup_flag_starts_false_and_can_be_set()
    {
        var world = await TestWorld.CreateAsync(App);
        Assert.False((await Api.Get("/api/v1/profile/signup_flag.json", ("auth_token", world.HostToken))).AssertOk().Json.GetProperty("status").GetBoolean());
        Assert.Equal("Success", (await Api.Post("/api/v1/profile/signup_flag.json", ("auth_token", world.HostToken))).AssertOk().Json.GetProperty("message").GetString());
        Assert.True((await Api.Get("/api/v1/profile/signup_flag", ("auth_token", world.HostToken))).AssertOk().Json.GetProperty("status").GetBoolean());
    }
}

public sealed class StaffEndpointsTests_Sqlite(SqliteApp app) : StaffEndpointsTests(app), IClassFixture<SqliteApp>;

public sealed class StaffEndpointsTests_Postgres(PostgresApp app) : StaffEndpointsTests(app), IClassFixture<PostgresApp>;
