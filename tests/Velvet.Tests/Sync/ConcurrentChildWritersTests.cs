using Microsoft.EntityFrameworkCore;
using Velvet.Api.Notes;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

/// <summary>
/// Two members of staff adding a note to the same guest at the same moment, on PostgreSQL (SQLite serializes its
/// writers). A note's insert holds a key-share lock on its contact, and capture locks the contact to log it: two
/// writers that each held the first while asking for the second would deadlock, and one of them would fail.
/// </summary>
public sealed class ConcurrentChildWritersTests_Postgres(PostgresApp app) : IClassFixture<PostgresApp>
{
    [DbFact]
    public async Task Two_writers_adding_notes_to_one_contact_at_once_both_succeed_and_the_contact_is_logged_with_both()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world);
        // Each note insert lingers half a second after its foreign key check (a trigger named to fire after the
        // check's own): both writers then hold their key-share lock on the contact at once, the interleaving that
        // deadlocks when the contact is locked after the inserts.
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""
            CREATE FUNCTION linger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
            CREATE TRIGGER zz_linger AFTER INSERT ON "Notes" FOR EACH ROW EXECUTE FUNCTION linger();
            """));

        Task AddNoteAsync(string text) => Change(app, db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            db.Notes.Add(new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = text, CreatedAt = now, UpdatedAt = now });
            return Task.CompletedTask;
        });

        await Task.WhenAll(Task.Run(() => AddNoteAsync("Table by the window")), Task.Run(() => AddNoteAsync("Allergic to nuts")));

        var latest = await app.WithDbAsync((db, _) => db.ChangeLog
            .Where(e => e.ClassName == "Contact" && e.RecordId == contact.Id).OrderByDescending(e => e.Id).Select(e => e.Data).FirstAsync());
        Assert.Contains("Table by the window", latest, StringComparison.Ordinal);
        Assert.Contains("Allergic to nuts", latest, StringComparison.Ordinal);
    }
}
