using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
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
/// Viewer-specific parts are fixed here and adjusted at read time (see <see cref="ForViewer"/>).
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
                // One round trip for the contact with its tags, qualifications (at most one per venue) and notes, as
                // the contacts endpoint reads one contact; several parents at once are read apart, so rows never multiply.
                var query = db.Contacts.IgnoreQueryFilters().AsNoTracking().Include(c => c.Tags).Include(c => c.Qualifications).Where(c => ids.Contains(c.Id));
                List<Contact> contacts;
                ILookup<int, Note> contactNotes;
                if (ids.Count == 1)
                {
                    var rows = await query.AsSingleQuery()
                        .Select(c => new { Contact = c, Notes = db.Notes.IgnoreQueryFilters().Where(n => n.ContactId == c.Id).ToList() })
                        .ToListAsync(ct);
                    contacts = [.. rows.Select(r => r.Contact)];
                    contactNotes = rows.SelectMany(r => r.Notes).ToLookup(n => n.ContactId!.Value);
                }
                else
                {
                    contacts = await query.AsSplitQuery().ToListAsync(ct);
                    contactNotes = (await db.Notes.IgnoreQueryFilters().AsNoTracking().Where(n => n.ContactId != null && ids.Contains(n.ContactId.Value)).ToListAsync(ct))
                        .ToLookup(n => n.ContactId!.Value);
                }

                foreach (var c in contacts)
                {
                    var notes = contactNotes[c.Id].OrderBy(n => n.Id).Select(n => NoteJson.From(n, zone, viewerMayChange: false)).ToList();
                    result[c.Id] = Serialize(ContactJson.From(c, notes, ContactStats.None, zone, joinOwners: false));
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
    /// (SPEC §2). Filtering at read time keeps one log row per change instead of one per venue.
    /// </summary>
    public static string ForViewer(string className, string data, IReadOnlyCollection<int> venueIds)
    {
        if (className != SyncClasses.Contact || !data.Contains("\"venue_id\"", StringComparison.Ordinal))
        {
            return data;
        }

        var node = JsonNode.Parse(data)!.AsObject();
        if (node["contact_qualifications"] is JsonArray qualifications)
        {
            foreach (var q in qualifications.ToList())
            {
                if (!venueIds.Contains(q!["venue_id"]!.GetValue<int>()))
                {
                    qualifications.Remove(q);
                }
            }
        }

        return node.ToJsonString();
    }
}
