using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

/// <summary>Seed 001's walkthrough sent as its curl lines send it: the writes go through the contacts endpoints.</summary>
public abstract class LastChangesThroughApiTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task Contacts_written_through_the_api_reach_last_changes_as_the_seed_shows()
    {
        var world = await TestWorld.CreateAsync(App);
        (await Api.Post("/api/v1/last_changes/acknowledgment.json", ("auth_token", world.AdminToken), ("timestamp", "2014-03-04 05:29:17 +0000")))
            .AssertOk();

        var email = $"contact_{Guid.NewGuid():N}@example.com";
        var created = (await Api.Post("/api/v1/contacts.json", ("auth_token", world.HostToken), ("contact[email]", email), ("contact[first_name]", "John")))
            .AssertOk().Json;
        var id = created.GetProperty("id").GetInt32();

        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var second = (await Api.Get("/api/v1/last_changes.json", ("auth_token", world.AdminToken), ("start_date", "2014-03-03 00:00:00 +0000")))
            .AssertOk().Json;
        var entry = Assert.Single(second.GetProperty("activity_log").EnumerateArray(), e => e.GetProperty("class_name").GetString() == "Contact");
        Assert.Equal("create", entry.GetProperty("action").GetString());
        Assert.Equal(id, entry.GetProperty("id").GetInt32());
        Assert.Equal(email, entry.GetProperty("data").GetProperty("email").GetString());
        Assert.Equal("John ", entry.GetProperty("data").GetProperty("name").GetString());
        var timestamp = second.GetProperty("timestamp").GetString()!;

        App.Clock.Advance(TimeSpan.FromSeconds(2));
        (await Api.Put($"/api/v1/contacts/{id}.json", ("auth_token", world.HostToken), ("contact[first_name]", "Jack"))).AssertOk();
        var third = (await Api.Get("/api/v1/last_changes.json", ("auth_token", world.AdminToken), ("start_date", timestamp))).AssertOk().Json;
        Assert.Equal([("Contact", id, "update")], Entries(third));
        Assert.Equal("Jack ", third.GetProperty("activity_log")[0].GetProperty("data").GetProperty("name").GetString());

        App.Clock.Advance(TimeSpan.FromSeconds(2));
        (await Api.Delete($"/api/v1/contacts/{id}.json", ("auth_token", world.AdminToken))).AssertOk();
        var fourth = (await Api.Get("/api/v1/last_changes.json", ("auth_token", world.AdminToken), ("start_date", timestamp))).AssertOk().Json;
        Assert.Equal([("Contact", id, "update"), ("Contact", id, "destroy")], Entries(fourth));
    }

    [DbFact]
    public async Task The_seed_curl_lines_work_with_their_unencoded_plus_signs()
    {
        var world = await TestWorld.CreateAsync(App);

        // curl -d sends the body as written: "+0000" arrives as " 0000" after form decoding.
        var ack = await Raw(HttpMethod.Post, "/api/v1/last_changes/acknowledgment.json", $"auth_token={world.AdminToken}&timestamp=2014-03-04 05:29:17 +0000");
        Assert.Equal("Success", ack.AssertOk().Json.GetProperty("message").GetString());
        var pull = await Raw(HttpMethod.Get, "/api/v1/last_changes.json", $"auth_token={world.AdminToken}&start_date=2014-03-03 00:00:00 +0000");
        Assert.Equal(0, pull.AssertOk().Json.GetProperty("status").GetInt32());
        var again = await Raw(HttpMethod.Get, "/api/v1/last_changes.json", $"auth_token={world.AdminToken}&start_date=2014-03-03T16:38:38GMT+01:00");
        Assert.Equal(0, again.AssertOk().Json.GetProperty("status").GetInt32());
    }

    private async Task<Reply> Raw(HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        return await Api.SendRaw(request);
    }
}

public sealed class LastChangesThroughApiTests_Sqlite(SqliteApp app) : LastChangesThroughApiTests(app), IClassFixture<SqliteApp>;

public sealed class LastChangesThroughApiTests_Postgres(PostgresApp app) : LastChangesThroughApiTests(app), IClassFixture<PostgresApp>;
