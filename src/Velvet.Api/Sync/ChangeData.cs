using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Velvet.Api.Contacts;
using Velvet.Api.LogMethods;
using Velvet.Api.Notes;
using Velvet.Api.Notifications;
using Velvet.Api.Reservations;
using Velvet.Api.StaticTexts;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Api.Tasks;
using Velvet.Api.Wire;

namespace Velvet.Api.Sync;

/// <summary>
/// The `data` of a log entry: the same *Json.From the endpoints use, serialized with the wire options.
/// Viewer-specific parts are fixed here and adjusted at read time (see <see cref="WriteForViewer"/>).
/// </summary>
internal static class ChangeData
{
    /// <summary>user_venue_last_changes#HASH.</summary>
    internal sealed record UserVenueLastChangesJson(int VenueId, int Id, bool Home, string VenueName);

    /// <summary>contact_qualification_last_changes#HASH (id added: entries are keyed by it).</summary>
    internal sealed record ContactQualificationLastChangesJson(int Id, int ContactId, int VenueId, string Status);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, WireJson.Options);

    /// <summary>Classes whose JSON embeds children: built from the database, after the change, inside its transaction.</summary>
    public static bool IsComposite(string className) =>
        className is SyncClasses.Contact or SyncClasses.Task or SyncClasses.TagCategory or SyncClasses.UserVenue;

    public static string? Simple(object entity, TimeZoneInfo zone) => entity switch
    {
        Tag t => Serialize(TagJson.From(t)),
        LogMethod l => Serialize(LogMethodJson.From(l, zone)),
        Notification n => Serialize(NotificationJson.From(n, zone)),
        // Notes in the log are not the viewer's own: can_be_edited/can_be_deleted are false; the notes endpoints answer per viewer.
        Note n => Serialize(NoteJson.From(n, zone, viewerMayChange: false)),
        Reservation r => Serialize(ReservationJson.From(r, zone)),
        StaticText s => Serialize(StaticTextJson.From(s)),
        ContactQualification q => Serialize(new ContactQualificationLastChangesJson(q.Id, q.ContactId, q.VenueId, q.Status)),
        _ => null,
    };

    /// <summary>Contacts read at most per command: their ids are parameters, far below either engine's limit per statement.</summary>
    public const int ContactsPerCommand = 500;

    /// <summary>
    /// Contacts with their tags, qualifications and notes, unfiltered, as four statements of one command: one round trip
    /// on PostgreSQL and four short statements for SQLite to compile. EF's include of the three collections is one join
    /// whose rows multiply (tags × qualifications × notes), or a round trip each. The ids are parameters of names of
    /// their own, added by <paramref name="addParameter"/>, which returns each one's placeholder
    /// (<see cref="RawSql.Placeholder"/> of its name: the text is cached), so the statements can also ride on a
    /// save's batch (<see cref="CaptureBatch"/>).
    /// </summary>
    public static string ContactsSql(VelvetDb db, Func<string, object, string> addParameter, IReadOnlyList<int> ids)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            addParameter(ContactParameter(i), ids[i]);
        }

        // The text depends only on the model and the number of ids: a save's usual one or few are built once.
        return ids.Count <= CachedContactsSqlIds
            ? ContactsSqlTexts.GetOrAdd((db.Model, ids.Count), static (key, db) => ContactsSqlText(db, key.Item2), db)
            : ContactsSqlText(db, ids.Count);
    }

    private static string ContactParameter(int index) => "velvet_contact" + index.ToString(CultureInfo.InvariantCulture);

    private const int CachedContactsSqlIds = 16;

    private static readonly ConcurrentDictionary<(IModel, int), string> ContactsSqlTexts = new();

    private static string ContactsSqlText(VelvetDb db, int ids)
    {
        var names = new SqlNames(db);
        var list = string.Join(", ", Enumerable.Range(0, ids).Select(i => RawSql.Placeholder(ContactParameter(i))));
        string Of<T>(string parentColumn)
            where T : class =>
            $"{EntityRows<T>.For(db).Select} WHERE {names.Column<T>(parentColumn)} IN ({list}) ORDER BY {names.Column<T>("Id")}";
        return string.Join(";\n", Of<Contact>(nameof(Contact.Id)), Of<ContactTag>(nameof(ContactTag.ContactId)),
            Of<ContactQualification>(nameof(ContactQualification.ContactId)), Of<Note>(nameof(Note.ContactId)));
    }

    /// <summary>The four result sets of <see cref="ContactsSql"/>, the reader on the first: each contact with its children, by id.</summary>
    public static async Task<Dictionary<int, ContactWithNotes>> ReadContactsAsync(VelvetDb db, DbDataReader reader, CancellationToken ct)
    {
        async Task<List<T>> NextAsync<T>()
            where T : class =>
            await reader.NextResultAsync(ct) ? await EntityRows<T>.For(db).ReadAsync(reader, ct) : throw new InvalidOperationException("The contacts' read ended early");

        var contacts = await EntityRows<Contact>.For(db).ReadAsync(reader, ct);
        var tags = (await NextAsync<ContactTag>()).ToLookup(t => t.ContactId);
        var qualifications = (await NextAsync<ContactQualification>()).ToLookup(q => q.ContactId);
        var notes = (await NextAsync<Note>()).ToLookup(n => n.ContactId!.Value);
        foreach (var contact in contacts)
        {
            contact.Tags = [.. tags[contact.Id]];
            contact.Qualifications = [.. qualifications[contact.Id]];
        }

        return contacts.ToDictionary(c => c.Id, c => new ContactWithNotes(c, [.. notes[c.Id]]));
    }

    /// <summary>A contact's log data: notes in id order, as read.</summary>
    public static string ContactData(ContactWithNotes contact, TimeZoneInfo zone) =>
        Serialize(ContactJson.From(contact.Contact, [.. contact.Notes.Select(n => NoteJson.From(n, zone, viewerMayChange: false))],
            ContactStats.None, zone, joinOwners: false));

    private static async Task<Dictionary<int, ContactWithNotes>> ContactsAsync(VelvetDb db, int[] ids, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = RawSql.CreateCommand(db.Database);
            command.CommandText = ContactsSql(db, (name, value) => RawSql.AddParameter(command, name, value), ids);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await ReadContactsAsync(db, reader, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The current JSON of composite records, read with system rights (filters off) in the caller's transaction.</summary>
    public static async Task<Dictionary<int, string>> CompositeAsync(VelvetDb db, string className, IReadOnlyCollection<int> ids, TimeZoneInfo zone, CancellationToken ct)
    {
        var result = new Dictionary<int, string>();
        if (ids.Count == 0)
        {
            return result;
        }

        switch (className)
        {
            case SyncClasses.Contact:
                foreach (var chunk in ids.Chunk(ContactsPerCommand))
                {
                    foreach (var (id, contact) in await ContactsAsync(db, chunk, ct))
                    {
                        result[id] = ContactData(contact, zone);
                    }
                }

                break;
            case SyncClasses.Task:
                var tasks = await db.Set<CrmTask>().IgnoreQueryFilters().AsNoTracking().Where(t => ids.Contains(t.Id)).ToListAsync(ct);
                var taskNotes = (await db.Notes.IgnoreQueryFilters().AsNoTracking().Where(n => n.TaskId != null && ids.Contains(n.TaskId.Value)).ToListAsync(ct))
                    .ToLookup(n => n.TaskId!.Value);
                var logs = (await db.Set<LogMethod>().IgnoreQueryFilters().AsNoTracking().Where(l => l.TaskId != null && ids.Contains(l.TaskId.Value)).ToListAsync(ct))
                    .ToLookup(l => l.TaskId!.Value);
                foreach (var t in tasks)
                {
                    result[t.Id] = Serialize(TaskJson.From(t,
                        [.. taskNotes[t.Id].OrderBy(n => n.Id).Select(n => NoteJson.From(n, zone, viewerMayChange: false))],
                        [.. logs[t.Id].OrderBy(l => l.Id).Select(l => LogMethodJson.From(l, zone))], zone));
                }

                break;
            case SyncClasses.TagCategory:
                var categories = await db.TagCategories.IgnoreQueryFilters().AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct);
                var tags = (await db.Tags.IgnoreQueryFilters().AsNoTracking().Where(t => ids.Contains(t.TagCategoryId)).ToListAsync(ct))
                    .ToLookup(t => t.TagCategoryId);
                foreach (var c in categories)
                {
                    result[c.Id] = Serialize(TagCategoryJson.From(c, tags[c.Id]));
                }

                break;
            case SyncClasses.UserVenue:
                var links = await db.UserVenues.IgnoreQueryFilters().AsNoTracking().Where(v => ids.Contains(v.Id))
                    .Select(v => new { v.Id, v.VenueId, v.Home, v.Venue!.Name }).ToListAsync(ct);
                foreach (var v in links)
                {
                    result[v.Id] = Serialize(new UserVenueLastChangesJson(v.VenueId, v.Id, v.Home, v.Name));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(className), className, "not a composite class");
        }

        return result;
    }

    /// <summary>
    /// Stored contact data carries the qualifications of every venue; a viewer sees only those at their venues
    /// (SPEC §2). Filtering at read time keeps one log row per change instead of one per venue. What
    /// <see cref="WriteForViewer"/> writes, as text: the stored text itself when nothing is filtered.
    /// </summary>
    public static string ForViewer(string className, string data, IReadOnlyCollection<int> venueIds)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(data);
        if (className != SyncClasses.Contact || NamesOnlyVenues(utf8, venueIds))
        {
            return data;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteForViewer(writer, className, utf8, venueIds);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Writes an entry's stored data for this viewer: verbatim (no parse) unless it is contact data naming a venue
    /// outside <paramref name="venueIds"/>; then parsed, and the qualifications at other venues left out.
    /// </summary>
    public static void WriteForViewer(Utf8JsonWriter writer, string className, ReadOnlySpan<byte> data, IReadOnlyCollection<int> venueIds)
    {
        if (className != SyncClasses.Contact || NamesOnlyVenues(data, venueIds))
        {
            writer.WriteRawValue(data, skipInputValidation: true);
            return;
        }

        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        writer.WriteStartObject();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!property.NameEquals("contact_qualifications"u8) || property.Value.ValueKind != JsonValueKind.Array)
            {
                property.WriteTo(writer);
                continue;
            }

            writer.WriteStartArray(property.Name);
            foreach (var qualification in property.Value.EnumerateArray())
            {
                if (qualification.ValueKind == JsonValueKind.Object && qualification.TryGetProperty("venue_id"u8, out var venue)
                    && venue.TryGetInt32(out var venueId) && venueIds.Contains(venueId))
                {
                    qualification.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// True when every "venue_id" key in the JSON text has a number in <paramref name="venueIds"/>, so filtering
    /// would remove nothing. A byte scan, run on every contact entry of a reply: a quote inside a JSON string is
    /// always escaped, so `"venue_id"` followed by a colon can only be a key. Anything unexpected (spacing, null,
    /// a venue outside the set) answers false and the caller parses.
    /// </summary>
    internal static bool NamesOnlyVenues(ReadOnlySpan<byte> json, IReadOnlyCollection<int> venueIds)
    {
        var key = "\"venue_id\""u8;
        while (true)
        {
            var at = json.IndexOf(key);
            if (at < 0)
            {
                return true;
            }

            json = json[(at + key.Length)..];
            if (json.IsEmpty || json[0] != (byte)':')
            {
                return false;
            }

            var digits = 1;
            while (digits < json.Length && char.IsAsciiDigit((char)json[digits]))
            {
                digits++;
            }

            if (!System.Buffers.Text.Utf8Parser.TryParse(json[1..digits], out int venueId, out var consumed) || consumed != digits - 1
                || !venueIds.Contains(venueId))
            {
                return false;
            }

            json = json[digits..];
        }
    }
}
