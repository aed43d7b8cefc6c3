using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Wire;

/// <summary>
/// A write that loses to a concurrent one (PostgreSQL cancels one of two deadlocked transactions, or fails a
/// serialization) rolls back whole: the client is told to send it again, not that the server broke.
/// </summary>
public sealed class TransientStorageErrorTests_Postgres(PostgresApp app) : IClassFixture<PostgresApp>
{
    [DbFact]
    public async Task A_write_that_lost_to_a_concurrent_one_answers_503_with_retry_after_and_writes_nothing()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world, "Olivia");
        var api = new ApiClient(app.CreateClient());
        // What PostgreSQL answers the loser of a conflict, raised on demand.
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""
            CREATE FUNCTION lose_to_a_concurrent_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = '40001'; END $$;
            CREATE TRIGGER lose BEFORE UPDATE ON "Contacts" FOR EACH ROW EXECUTE FUNCTION lose_to_a_concurrent_write();
            """));

        var before = app.Logs.All.Count;
        var lost = await api.Put($"/api/v1/contacts/{contact.Id}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett"));

        lost.AssertError(503, "Service busy, please try again");
        Assert.Equal("1", string.Join(",", lost.Response.Headers.GetValues("Retry-After")));
        var logged = app.Logs.All.Skip(before).ToList();
        Assert.Contains(logged, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Database busy", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, line => line.Contains("Unhandled error", StringComparison.Ordinal));
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""DROP TRIGGER lose ON "Contacts";"""));
        var stored = (await api.Get($"/api/v1/contacts/{contact.Id}.json", ("auth_token", world.AdminToken))).AssertOk().Json;
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("last_name").ValueKind);

        (await api.Put($"/api/v1/contacts/{contact.Id}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Bennett"))).AssertOk();
    }
}
