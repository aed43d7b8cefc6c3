using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Venues;

public abstract class VenuesEndpointsTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task List_shows_only_the_venues_the_user_works_at()
    {
        var world = await TestWorld.CreateAsync(App);

        var admin = (await Api.Get("/api/v1/venues/list.json", ("auth_token", world.AdminToken))).AssertOk().Json;
        var host = (await Api.Get("/api/v1/venues/list.json", ("auth_token", world.HostToken))).AssertOk().Json;

        Assert.Equal(2, admin.GetArrayLength());
        Assert.Equal([world.VenueA.Id], host.EnumerateArray().Select(v => v.GetProperty("id").GetInt32()));
        var venue = host[0];
        foreach (var key in new[] { "id", "name", "email", "location", "longitude", "latitude", "phone", "website", "facebook",
                     "twitter", "instagram", "venue_type", "timezone", "description", "logo_thumb_200_url" })
        {
            Assert.True(venue.TryGetProperty(key, out _), $"missing key {key}");
        }
    }

    [DbFact]
    public async Task Set_filters_narrows_and_zero_restores_all()
    {
        var world = await TestWorld.CreateAsync(App);

        var narrowed = (await Api.Post("/api/v1/venues/set_filters.json", ("auth_token", world.AdminToken), ("venue_ids", $"{world.VenueB.Id}")))
            .AssertOk().Json;
        Assert.Equal([world.VenueB.Id], narrowed.EnumerateArray().Select(v => v.GetProperty("id").GetInt32()));

        var profile = (await Api.Get("/api/v1/profile", ("auth_token", world.AdminToken))).AssertOk().Json;
        var selected = profile.GetProperty("all_venues").EnumerateArray()
            .ToDictionary(v => v.GetProperty("id").GetInt32(), v => v.GetProperty("selected").GetBoolean());
        Assert.False(selected[world.VenueA.Id]);
        Assert.True(selected[world.VenueB.Id]);

        var all = (await Api.Post("/api/v1/venues/set_filters", ("auth_token", world.AdminToken), ("venue_ids", "0"))).AssertOk().Json;
        Assert.Equal(2, all.GetArrayLength());
    }

    [DbFact]
    public async Task Set_filters_refuses_venues_the_user_may_not_see()
    {
        var world = await TestWorld.CreateAsync(App);
        var other = await TestWorld.CreateAsync(App);

        (await Api.Post("/api/v1/venues/set_filters", ("auth_token", world.HostToken), ("venue_ids", $"{world.VenueA.Id},{world.VenueB.Id}")))
            .AssertError(400, $"Invalid venue ids: {world.VenueB.Id}");
        (await Api.Post("/api/v1/venues/set_filters", ("auth_token", world.AdminToken), ("venue_ids", $"{other.VenueA.Id}")))
            .AssertError(400);
        (await Api.Post("/api/v1/venues/set_filters", ("auth_token", world.AdminToken), ("venue_ids", "one,two"))).AssertError(400);
        (await Api.Post("/api/v1/venues/set_filters", ("auth_token", world.AdminToken))).AssertError(400);
    }
}

public sealed class VenuesEndpointsTests_Sqlite(SqliteApp app) : VenuesEndpointsTests(app), IClassFixture<SqliteApp>;

public sealed class VenuesEndpointsTests_Postgres(PostgresApp app) : VenuesEndpointsTests(app), IClassFixture<PostgresApp>;
