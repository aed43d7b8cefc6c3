using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Tags;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Wire;

/// <summary>
/// A write that meets another request's change between reading and writing rolls back whole, and the client is told
/// what it would have been told a moment later — never that the server broke. PostgreSQL's answers are raised on
/// demand by a trigger, as the database gives them to the loser of a race.
/// </summary>
public sealed class LostRaceTests_Postgres(PostgresApp app) : IClassFixture<PostgresApp>
{
    [DbFact]
    public async Task A_write_that_lost_to_a_concurrent_one_answers_503_with_retry_after_and_writes_nothing()
    {
        var (world, contactId, api) = await ArrangeAsync();
        await RaiseAsync("BEFORE UPDATE", "Contacts", "40001");

        var before = app.Logs.All.Count;
        var lost = await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett"));

        lost.AssertError(503, "Service busy, please try again");
        Assert.Equal("1", string.Join(",", lost.Response.Headers.GetValues("Retry-After")));
        var logged = app.Logs.All.Skip(before).ToList();
        Assert.Contains(logged, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Database busy", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, line => line.Contains("Unhandled error", StringComparison.Ordinal));
        await StopRaisingAsync("Contacts");
        var stored = (await api.Get($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken))).AssertOk().Json;
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("last_name").ValueKind);
        (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett"))).AssertOk();
    }

    [DbFact]
    public async Task A_row_another_request_inserted_after_this_one_checked_for_it_answers_503_to_send_it_again()
    {
        var (world, contactId, api) = await ArrangeAsync();
        var tagId = await AddTagAsync(world);
        await RaiseAsync("BEFORE INSERT", "ContactTags", "23505");

        (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[tag_ids][]", $"{tagId}")))
            .AssertError(503, "Service busy, please try again");

        await StopRaisingAsync("ContactTags");
        var tagged = (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[tag_ids][]", $"{tagId}"))).AssertOk().Json;
        Assert.Equal([tagId], tagged.GetProperty("tags").EnumerateArray().Select(t => t.GetInt32()));
    }

    [DbFact]
    public async Task Updating_a_contact_deleted_meanwhile_answers_404_as_it_would_a_moment_later()
    {
        var (world, contactId, api) = await ArrangeAsync();
        // The row is gone by the time the UPDATE runs: it changes nothing, as after another request's DELETE.
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""
            CREATE FUNCTION vanish() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER vanish BEFORE UPDATE ON "Contacts" FOR EACH ROW EXECUTE FUNCTION vanish();
            """));

        (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett")))
            .AssertError(404, "Record not found");

        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""DROP TRIGGER vanish ON "Contacts"; DROP FUNCTION vanish();"""));
    }

    [DbFact]
    public async Task Tagging_with_a_tag_deleted_meanwhile_answers_404()
    {
        var (world, contactId, api) = await ArrangeAsync();
        var tagId = await AddTagAsync(world);
        await RaiseAsync("BEFORE INSERT", "ContactTags", "23503");

        (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[tag_ids][]", $"{tagId}")))
            .AssertError(404, "Record not found");

        await StopRaisingAsync("ContactTags");
    }

    private async Task<(TestWorld World, int ContactId, ApiClient Api)> ArrangeAsync()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world, "Olivia");
        return (world, contact.Id, new ApiClient(app.CreateClient()));
    }

    private Task<int> AddTagAsync(TestWorld world) =>
        app.WithDbAsync(async (db, _) =>
        {
            var category = new TagCategory { CompanyId = world.Company.Id, Name = "Drinks" };
            db.TagCategories.Add(category);
            await db.SaveChangesAsync();
            var tag = new Tag { CompanyId = world.Company.Id, TagCategoryId = category.Id, Name = "Champagne" };
            db.Tags.Add(tag);
            await db.SaveChangesAsync();
            return tag.Id;
        });

    /// <summary>Every <paramref name="timing"/> row change of the table fails with PostgreSQL's <paramref name="sqlState"/>.</summary>
    private async Task RaiseAsync(string timing, string table, string sqlState)
    {
        var sql = $"""
            CREATE FUNCTION raise_{sqlState}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'raised by the test' USING ERRCODE = '{sqlState}'; END $$;
            CREATE TRIGGER raise_race {timing} ON "{table}" FOR EACH ROW EXECUTE FUNCTION raise_{sqlState}();
            """;
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(sql));
    }

    private async Task StopRaisingAsync(string table)
    {
        var sql = $"""DROP TRIGGER raise_race ON "{table}";""";
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(sql));
    }
}
