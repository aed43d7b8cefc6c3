using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Wire;

/// <summary>
/// A write that meets another request's change between reading and writing rolls back whole, and its client is asked
/// to send it again (the second try gets what it would have had a moment later) — never told that the server broke.
/// PostgreSQL's answers to the loser of a race are raised on demand by a trigger, for as long as a step runs.
/// </summary>
public sealed class LostRaceTests_Postgres(PostgresApp app) : IClassFixture<PostgresApp>
{
    [DbFact]
    public async Task A_write_that_lost_to_a_concurrent_one_answers_503_with_retry_after_writes_nothing_and_succeeds_when_sent_again()
    {
        var (world, contactId, api) = await ArrangeAsync();
        var before = app.Logs.All.Count;

        var lost = await WhileRaisingAsync("BEFORE UPDATE", "Contacts", "40P01",
            () => api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett")));

        lost.AssertError(503, "Service busy, please try again");
        Assert.Equal("1", string.Join(",", lost.Response.Headers.GetValues("Retry-After")));
        var logged = app.Logs.All.Skip(before).ToList();
        Assert.Contains(logged, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("40P01", StringComparison.Ordinal));
        // Handled, and logged once as the warning above: no error line for it, EF's own included.
        Assert.DoesNotContain(logged, line => line.StartsWith("Error", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, (await LastNameAsync(api, world, contactId)).ValueKind);
        (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett"))).AssertOk();
    }

    [DbFact]
    public async Task Tagging_that_met_a_link_inserted_or_a_tag_deleted_by_another_request_answers_503_and_writes_nothing()
    {
        var (world, contactId, api) = await ArrangeAsync();
        var tagId = await AddTagAsync(app, world);
        foreach (var sqlState in new[] { "23505", "23503" })
        {
            (await WhileRaisingAsync("BEFORE INSERT", "ContactTags", sqlState,
                    () => api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Tagged"), ("contact[tag_ids][]", $"{tagId}"))))
                .AssertError(503, "Service busy, please try again");
            Assert.Equal(JsonValueKind.Null, (await LastNameAsync(api, world, contactId)).ValueKind);
        }

        var tagged = (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[tag_ids][]", $"{tagId}"))).AssertOk().Json;
        Assert.Equal([tagId], tagged.GetProperty("tags").EnumerateArray().Select(t => t.GetInt32()));
    }

    [DbFact]
    public async Task Updating_a_contact_whose_row_went_away_meanwhile_answers_503_and_writes_nothing()
    {
        var (world, contactId, api) = await ArrangeAsync();
        var before = await app.WithDbAsync((db, _) => db.ChangeLog.CountAsync());

        // The UPDATE finds no row, as after another request's DELETE.
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""
            CREATE OR REPLACE FUNCTION vanish() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER vanish BEFORE UPDATE ON "Contacts" FOR EACH ROW EXECUTE FUNCTION vanish();
            """));
        try
        {
            (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett")))
                .AssertError(503, "Service busy, please try again");
        }
        finally
        {
            await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""DROP TRIGGER IF EXISTS vanish ON "Contacts";"""));
        }

        Assert.Equal(before, await app.WithDbAsync((db, _) => db.ChangeLog.CountAsync()));
    }

    [DbFact]
    public async Task An_update_whose_log_write_or_commit_lost_a_race_answers_503_writes_nothing_and_the_next_update_is_logged()
    {
        // The log's INSERT carries the transaction's COMMIT: whichever of the two fails, nothing of the update may stay.
        var (world, contactId, api) = await ArrangeAsync();
        var logged = await app.WithDbAsync((db, _) => db.ChangeLog.CountAsync());
        var lines = app.Logs.All.Count;

        foreach (var atCommit in new[] { false, true })
        {
            (await WhileRaisingAsync(atCommit ? "AFTER INSERT" : "BEFORE INSERT", "ChangeLog", atCommit ? "40001" : "40P01",
                    () => api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett")), atCommit))
                .AssertError(503, "Service busy, please try again");
            Assert.Equal(JsonValueKind.Null, (await LastNameAsync(api, world, contactId)).ValueKind);
            Assert.Equal(logged, await app.WithDbAsync((db, _) => db.ChangeLog.CountAsync()));
        }

        Assert.DoesNotContain(app.Logs.All.Skip(lines), line => line.Contains("Unhandled error", StringComparison.Ordinal));

        (await api.Put($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett"))).AssertOk();
        Assert.Equal("Bennett", (await LastNameAsync(api, world, contactId)).GetString());
        Assert.Equal(logged + 1, await app.WithDbAsync((db, _) => db.ChangeLog.CountAsync()));
    }

    private async Task<(TestWorld World, int ContactId, ApiClient Api)> ArrangeAsync()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world, "Olivia");
        return (world, contact.Id, new ApiClient(app.CreateClient()));
    }

    private static async Task<JsonElement> LastNameAsync(ApiClient api, TestWorld world, int contactId) =>
        (await api.Get($"/api/v1/contacts/{contactId}.json", ("auth_token", world.AdminToken))).AssertOk().Json.GetProperty("last_name");

    /// <summary>
    /// Runs <paramref name="step"/> while every <paramref name="timing"/> row change of the table fails with <paramref name="sqlState"/>;
    /// <paramref name="atCommit"/>: when the transaction commits (a deferred constraint trigger), not at the statement.
    /// </summary>
    private async Task<Reply> WhileRaisingAsync(string timing, string table, string sqlState, Func<Task<Reply>> step, bool atCommit = false)
    {
        var trigger = atCommit
            ? $"""CREATE CONSTRAINT TRIGGER raise_race {timing} ON "{table}" DEFERRABLE INITIALLY DEFERRED"""
            : $"""CREATE TRIGGER raise_race {timing} ON "{table}" """;
        var install = $"""
            CREATE OR REPLACE FUNCTION raise_{sqlState}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'raised by the test' USING ERRCODE = '{sqlState}'; END $$;
            {trigger} FOR EACH ROW EXECUTE FUNCTION raise_{sqlState}();
            """;
        var remove = $"""DROP TRIGGER IF EXISTS raise_race ON "{table}";""";
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(install));
        try
        {
            return await step();
        }
        finally
        {
            await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(remove));
        }
    }
}
