using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Storage;

/// <summary>
/// Which failures a second try settles (the error middleware answers them 503 "send again") and which it never
/// would. SQLite's come from real writes; PostgreSQL's are exercised through the API in LostRaceTests.
/// </summary>
public sealed class StorageErrorsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_row_deleted_or_inserted_first_by_another_request_is_a_lost_race_on_sqlite()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world);
        var tagId = await AddTagAsync(app, world);
        await Change(app, db =>
        {
            db.ContactTags.Add(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tagId });
            return Task.CompletedTask;
        });

        var missing = await SaveFailureAsync(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tagId + 1000 });
        var duplicate = await SaveFailureAsync(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tagId });

        Assert.True(StorageErrors.IsForeignKeyViolation(missing));
        Assert.True(StorageErrors.IsUniqueViolation(duplicate));
        Assert.False(StorageErrors.IsUniqueViolation(missing));
        Assert.True(StorageErrors.IsLostRace(missing));
        Assert.True(StorageErrors.IsLostRace(duplicate));
    }

    [Fact]
    public void Deadlocks_and_busy_databases_are_lost_races_but_lost_connections_and_mistakes_are_not()
    {
        static PostgresException Postgres(string sqlState) => new("raised", "ERROR", "ERROR", sqlState);

        Assert.True(StorageErrors.IsLostRace(new DbUpdateException("save failed", Postgres(PostgresErrorCodes.DeadlockDetected))));
        Assert.True(StorageErrors.IsLostRace(new InvalidOperationException("likely transient", Postgres(PostgresErrorCodes.SerializationFailure))));
        Assert.True(StorageErrors.IsLostRace(new DbUpdateException("save failed", new SqliteException("database is locked", 5))));

        // A commit may have happened before the connection went: sending a create again could make two.
        Assert.False(StorageErrors.IsLostRace(new NpgsqlException("connection lost", new IOException("reset by peer"))));
        Assert.False(StorageErrors.IsLostRace(new InvalidOperationException("likely transient", Postgres(PostgresErrorCodes.UndefinedTable))));
        Assert.False(StorageErrors.IsLostRace(new InvalidOperationException("a bug", new ArgumentException("bad"))));
        Assert.False(StorageErrors.IsLostRace(new SqliteException("no such table: Contacts", 1)));
    }

    private async Task<DbUpdateException> SaveFailureAsync(ContactTag link)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        db.ContactTags.Add(link);
        return await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}
