using System.Globalization;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;

namespace Velvet.Api.Exports;

/// <summary>
/// The contacts an export covers: changed from one of the origin ids within the range, each once, with their
/// current values. Read in keyset batches of contact ids, so neither the ids nor the contacts are ever all in memory.
/// A contact deleted since has no row left to join, and so is left out.
/// </summary>
internal static class ChangedContacts
{
    /// <summary>Whole days in the company's zone, both ends included: [start 00:00 local, end + 1 day 00:00 local) in UTC.</summary>
    public static (DateTime From, DateTime To) UtcRange(DateOnly start, DateOnly end, TimeZoneInfo zone) =>
        (LocalMidnightToUtc(start, zone), LocalMidnightToUtc(end.AddDays(1), zone));

    private static DateTime LocalMidnightToUtc(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Where DST starts at midnight (e.g. America/Santiago) local midnight does not exist; the day starts an hour later.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>
    /// Contacts of the company with at least one matching change, walked in id order. Driving the query from
    /// contacts (primary key order, EXISTS on the ContactChanges.ContactId index) makes every keyset batch
    /// continue where the last one stopped, so the whole export reads each contact once.
    /// </summary>
    private static IQueryable<Contact> Matching(VelvetDb db, int companyId, ExportSettings settings, TimeZoneInfo zone)
    {
        var (from, to) = UtcRange(settings.StartDate, settings.EndDate, zone);
        var originIds = settings.OriginIds.ToArray();
        var origin = settings.Origin;
        var changes = db.ContactChanges.IgnoreQueryFilters()
            .Where(c => c.CompanyId == companyId && c.Origin == origin && originIds.Contains(c.OriginId)
                && c.ChangedAt >= from && c.ChangedAt < to);
        return db.Contacts.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.CompanyId == companyId && changes.Any(ch => ch.ContactId == c.Id));
    }

    public static Task<int> CountAsync(VelvetDb db, int companyId, ExportSettings settings, TimeZoneInfo zone, CancellationToken ct) =>
        Matching(db, companyId, settings, zone).CountAsync(ct);

    /// <summary>
    /// One forward-only query, streamed: the provider hands rows over as they arrive, so memory stays flat.
    /// Keyset batches were tried first and measured far slower on PostgreSQL, which plans every batch as a
    /// semi-join over the whole change set (docs/benchmarks.md). Only the selected columns are read.
    /// The caller must not use <paramref name="db"/> for anything else until the stream ends (no MARS on Npgsql).
    /// </summary>
    public static async IAsyncEnumerable<string?[]> RowsAsync(VelvetDb db, int companyId, ExportSettings settings, TimeZoneInfo zone,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var fields = settings.ContactFields.Select(id => ContactFields.Find(id)!).ToArray();
        var contacts = Matching(db, companyId, settings, zone).OrderBy(c => c.Id).Select(Projection(fields)).AsAsyncEnumerable();
        await foreach (var contact in contacts.WithCancellation(ct))
        {
            var row = new string?[fields.Length + 1];
            row[0] = contact.Id.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < fields.Length; i++)
            {
                row[i + 1] = ChangesCsv.Neutralise(fields[i].Value(contact, zone));
            }

            yield return row;
        }
    }

    /// <summary><c>c => new Contact { Id = c.Id, FirstName = c.FirstName, …selected properties }</c>, so unselected columns are not read.</summary>
    private static Expression<Func<Contact, Contact>> Projection(IEnumerable<ContactField> fields)
    {
        var c = Expression.Parameter(typeof(Contact), "c");
        var properties = new[] { nameof(Contact.Id), nameof(Contact.FirstName) }.Concat(fields.Select(f => f.Property)).Distinct();
        var bindings = properties.Select(name => typeof(Contact).GetProperty(name)!)
            .Select(property => (MemberBinding)Expression.Bind(property, Expression.Property(c, property)));
        return Expression.Lambda<Func<Contact, Contact>>(Expression.MemberInit(Expression.New(typeof(Contact)), bindings), c);
    }
}
