using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Contacts;
using Velvet.Api.Notes;
using Velvet.Api.Storage;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Storage;

/// <summary>Rows read past EF's query pipeline come out as EF itself reads them: every column, converted the same way.</summary>
public abstract class EntityRowsTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task A_contact_and_a_note_read_by_the_model_equal_what_EF_reads_value_for_value()
    {
        var world = await TestWorld.CreateAsync(App);
        var (contactId, noteId) = await App.WithDbAsync(async (db, _) =>
        {
            var contact = new Contact
            {
                CompanyId = world.Company.Id,
                FirstName = "Ann",
                LastName = "Lee",
                Email = "ann@example.com",
                Birthdate = new DateOnly(1990, 5, 17),
                Nurtured = true,
                LastUpdate = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc),
                CreatedAt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                UpdatedAt = new DateTime(2026, 1, 2, 3, 4, 6, DateTimeKind.Utc),
            };
            contact.RefreshSearchKeys();
            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            var note = new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = "By the window", CreatedAt = contact.CreatedAt, UpdatedAt = contact.UpdatedAt };
            db.Notes.Add(note);
            await db.SaveChangesAsync();
            return (contact.Id, note.Id);
        });

        await App.WithDbAsync(async (db, _) =>
        {
            AssertSameValues(await db.Contacts.AsNoTracking().SingleAsync(c => c.Id == contactId), Assert.Single(await ReadAsync<Contact>(db, contactId)));
            AssertSameValues(await db.Notes.AsNoTracking().SingleAsync(n => n.Id == noteId), Assert.Single(await ReadAsync<Note>(db, noteId)));
        });
    }

    private static async Task<List<T>> ReadAsync<T>(VelvetDb db, int id)
        where T : class
    {
        var rows = EntityRows<T>.For(db);
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"{rows.Select} WHERE {rows.ColumnName("Id")} = {id}";
        await using var reader = await command.ExecuteReaderAsync();
        return await rows.ReadAsync(reader, CancellationToken.None);
    }

    /// <summary>Every mapped property, DateTime kinds included (DateTime equality ignores them; the wire format does not).</summary>
    private static void AssertSameValues<T>(T expected, T actual)
    {
        var compared = 0;
        foreach (var property in typeof(T).GetProperties().Where(p => p.PropertyType.IsValueType || p.PropertyType == typeof(string)))
        {
            var (e, a) = (property.GetValue(expected), property.GetValue(actual));
            Assert.True(Equals(e, a), $"{property.Name}: expected {e}, read {a}");
            if (e is DateTime time)
            {
                Assert.Equal(time.Kind, ((DateTime)a!).Kind);
            }

            compared++;
        }

        Assert.True(compared >= 10, $"only {compared} properties compared");
    }
}

public sealed class EntityRowsTests_Sqlite(SqliteApp app) : EntityRowsTests(app), IClassFixture<SqliteApp>;

public sealed class EntityRowsTests_Postgres(PostgresApp app) : EntityRowsTests(app), IClassFixture<PostgresApp>;
