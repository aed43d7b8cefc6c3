using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Contacts;
using Velvet.Api.Notes;
using Velvet.Api.Storage;
using Velvet.Api.Sync;
using Velvet.Api.Tags;
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
                GroupId = 7,
                CampaignsCount = 3,
                LastUpdate = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc),
                CreatedAt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                UpdatedAt = new DateTime(2026, 1, 2, 3, 4, 6, DateTimeKind.Utc),
            };
            // Every text column holds a value of its own (short enough for each column): a column dropped or read into
            // another property shows.
            foreach (var text in typeof(Contact).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
            {
                text.SetValue(contact, "v" + text.Name[..Math.Min(text.Name.Length, 12)]);
            }

            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            var note = new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = "By the window", UserId = world.Admin.Id, CreatedAt = contact.CreatedAt, UpdatedAt = contact.UpdatedAt };
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

    [DbFact]
    public async Task A_contact_is_read_with_its_tags_qualifications_and_notes_each_once_from_one_command()
    {
        var world = await TestWorld.CreateAsync(App);
        var contact = await Sync.SyncTestData.AddContactAsync(App, world);
        var tags = new[] { await Sync.SyncTestData.AddTagAsync(App, world), await Sync.SyncTestData.AddTagAsync(App, world) };
        await App.WithDbAsync(async (db, _) =>
        {
            db.ContactTags.AddRange(tags.Select(t => new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = t }));
            db.ContactQualifications.AddRange(
                new ContactQualification { CompanyId = world.Company.Id, ContactId = contact.Id, VenueId = world.VenueA.Id, Status = ContactQualification.Statuses[0] },
                new ContactQualification { CompanyId = world.Company.Id, ContactId = contact.Id, VenueId = world.VenueB.Id, Status = ContactQualification.Statuses[1] });
            db.Notes.AddRange(Enumerable.Range(0, 3).Select(i => new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = "Note " + i }));
            await db.SaveChangesAsync();
        });

        var read = await App.WithDbAsync(async (db, _) =>
        {
            await db.Database.OpenConnectionAsync();
            await using var command = RawSql.CreateCommand(db.Database);
            command.CommandText = ChangeData.ContactsSql(db, (name, value) => RawSql.AddParameter(command, name, value), [contact.Id]);
            await using var reader = await command.ExecuteReaderAsync();
            return await ChangeData.ReadContactsAsync(db, reader, CancellationToken.None);
        });

        var one = Assert.Single(read.Values);
        Assert.Equal(tags.Order(), one.Contact.Tags.Select(t => t.TagId).Order());
        Assert.Equal([world.VenueA.Id, world.VenueB.Id], one.Contact.Qualifications.Select(q => q.VenueId).Order());
        Assert.Equal(["Note 0", "Note 1", "Note 2"], one.Notes.Select(n => n.Text));
    }

    private static async Task<List<T>> ReadAsync<T>(VelvetDb db, int id)
        where T : class
    {
        var rows = EntityRows<T>.For(db);
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"{rows.Select} WHERE {new SqlNames(db).Column<T>("Id")} = {id}";
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
        Assert.DoesNotContain(typeof(T).GetProperties().Where(p => p.PropertyType == typeof(string)).Select(p => p.GetValue(actual)), v => v is null);
    }
}

public sealed class EntityRowsTests_Sqlite(SqliteApp app) : EntityRowsTests(app), IClassFixture<SqliteApp>;

public sealed class EntityRowsTests_Postgres(PostgresApp app) : EntityRowsTests(app), IClassFixture<PostgresApp>;
