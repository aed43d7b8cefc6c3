using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Contacts;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Api.Venues;

namespace Velvet.Api.Exports;

/// <summary>
/// The contacts an export covers: changed from one of the origin ids within the range, each once, with their
/// current values. A contact deleted since has no row left to join, and so is left out.
/// </summary>
/// <remarks>
/// One forward-only query over only the selected columns, read with the provider's own data reader and written
/// cell by cell (docs/benchmarks.md): materialising an entity and a string array per row cost more than the
/// database did. The SQL is built here, so tenancy is explicit: every table is limited to the job's company.
/// Table and column names come from the EF model, values are parameters, and the selected fields are ids
/// already checked against <see cref="ContactFields"/>, so nothing from the request is spliced into the text.
/// </remarks>
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

    public static async Task<int> CountAsync(VelvetDb db, int companyId, ExportSettings settings, TimeZoneInfo zone, CancellationToken ct)
    {
        var command = await CommandAsync(db, companyId, settings, zone, null, ct);
        await using (command.ConfigureAwait(false))
        {
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Writes one row per matching contact in id order — <c>user_id</c>, then the fields in request order — and
    /// returns how many were written. <paramref name="progress"/> is called with the rows so far every
    /// <paramref name="progressEvery"/> rows. The caller must not use <paramref name="db"/> until this returns
    /// (Npgsql allows one open command per connection).
    /// </summary>
    public static async Task<int> WriteAsync(VelvetDb db, int companyId, ExportSettings settings, TimeZoneInfo zone, CsvRowWriter csv,
        Func<int, Task> progress, int progressEvery, CancellationToken ct)
    {
        var fields = settings.ContactFields.Select(id => ContactFields.Find(id)!).ToList();
        var selected = fields.Distinct().ToList();
        // The same field asked for twice is read once and written twice.
        var cells = fields.Select(f => new Cell(f.Kind, 1 + selected.IndexOf(f))).ToArray();
        // Npgsql hands a text column over as its UTF-8 bytes without a string per cell (GetBytes), which is what
        // the file needs anyway. Microsoft.Data.Sqlite's GetBytes opens a blob stream per cell, so SQLite reads strings.
        var rowWriter = new RowWriter(cells, zone, csv, db.Database.IsNpgsql());
        var command = await CommandAsync(db, companyId, settings, zone, selected, ct);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = 0;
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    rowWriter.Write(reader);
                    rows++;
                    if (csv.Full)
                    {
                        await csv.FlushAsync(ct).ConfigureAwait(false);
                    }

                    if (rows % progressEvery == 0)
                    {
                        await progress(rows).ConfigureAwait(false);
                    }
                }

                return rows;
            }
        }
    }

    private readonly record struct Cell(FieldKind Kind, int Ordinal);

    private sealed class RowWriter(Cell[] cells, TimeZoneInfo zone, CsvRowWriter csv, bool utf8)
    {
        private byte[] _bytes = new byte[1024];

        public void Write(DbDataReader reader)
        {
            Span<char> text = stackalloc char[32];
            reader.GetInt32(0).TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            csv.Cell(text[..length], neutralise: false);
            foreach (var cell in cells)
            {
                var i = cell.Ordinal;
                if (reader.IsDBNull(i))
                {
                    csv.Empty();
                    continue;
                }

                switch (cell.Kind)
                {
                    case FieldKind.Text or FieldKind.Owners or FieldKind.Qualifications or FieldKind.Tags when utf8:
                        csv.Cell(Utf8(reader, i), neutralise: true);
                        continue;
                    case FieldKind.Text or FieldKind.Owners or FieldKind.Qualifications or FieldKind.Tags:
                        csv.Cell(reader.GetString(i), neutralise: true);
                        continue;
                    case FieldKind.Number:
                        reader.GetInt32(i).TryFormat(text, out length, default, CultureInfo.InvariantCulture);
                        break;
                    case FieldKind.Boolean:
                        text[0] = reader.GetBoolean(i) ? '1' : '0';
                        length = 1;
                        break;
                    case FieldKind.Date:
                        reader.GetFieldValue<DateOnly>(i).TryFormat(text, out length, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                        break;
                    case FieldKind.Time:
                        // Times in the company's zone, as the staff who entered them saw them.
                        var utc = DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc);
                        TimeZoneInfo.ConvertTimeFromUtc(utc, zone).TryFormat(text, out length, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown field kind {cell.Kind}");
                }

                csv.Cell(text[..length], neutralise: true);
            }

            csv.EndRow();
        }

        private ReadOnlySpan<byte> Utf8(DbDataReader reader, int ordinal)
        {
            // One call for any value that fits; asking for the length first (a null buffer) may cost the driver more.
            var read = (int)reader.GetBytes(ordinal, 0, _bytes, 0, _bytes.Length);
            if (read == _bytes.Length)
            {
                var length = (int)reader.GetBytes(ordinal, 0, null, 0, 0);
                if (length > read)
                {
                    _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
                    read = (int)reader.GetBytes(ordinal, 0, _bytes, 0, length);
                }
            }

            return _bytes.AsSpan(0, read);
        }
    }

    /// <summary>
    /// Contacts of the company with at least one matching change, in id order: driven from contacts (primary key
    /// order) with an EXISTS on the changes, which both engines run as one pass (keyset batches were planned as a
    /// semi-join over the whole change set each, docs/benchmarks.md). <paramref name="fields"/> null: the count.
    /// </summary>
    private static async Task<DbCommand> CommandAsync(VelvetDb db, int companyId, ExportSettings settings, TimeZoneInfo zone,
        IReadOnlyList<ContactField>? fields, CancellationToken ct)
    {
        var names = new SqlNames(db);
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var command = RawSql.CreateCommand(db.Database);

        var (from, to) = UtcRange(settings.StartDate, settings.EndDate, zone);
        RawSql.AddParameter(command, "company", companyId);
        RawSql.AddParameter(command, "origin", settings.Origin);
        RawSql.AddParameter(command, "from", from);
        RawSql.AddParameter(command, "to", to);
        var originIds = settings.OriginIds.Distinct().Select((id, i) => RawSql.AddParameter(command, "origin" + i.ToString(CultureInfo.InvariantCulture), id)).ToList();

        var contact = names.Table<Contact>();
        var change = names.Table<ContactChange>();
        var sql = new StringBuilder("SELECT ");
        if (fields is null)
        {
            sql.Append("COUNT(*)");
        }
        else
        {
            sql.Append("c.").Append(names.Column<Contact>(nameof(Contact.Id)));
            foreach (var field in fields)
            {
                sql.Append(", ").Append(field.IsDerived ? Derived(field.Kind, names, db.Database.IsNpgsql()) : "c." + names.Column<Contact>(field.Property));
            }
        }

        sql.Append(CultureInfo.InvariantCulture, $"""
             FROM {contact} AS c
            WHERE c.{names.Column<Contact>(nameof(Contact.CompanyId))} = @company AND EXISTS (
                SELECT 1 FROM {change} AS ch
                WHERE ch.{names.Column<ContactChange>(nameof(ContactChange.ContactId))} = c.{names.Column<Contact>(nameof(Contact.Id))}
                  AND ch.{names.Column<ContactChange>(nameof(ContactChange.CompanyId))} = @company
                  AND ch.{names.Column<ContactChange>(nameof(ContactChange.Origin))} = @origin
                  AND ch.{names.Column<ContactChange>(nameof(ContactChange.OriginId))} IN ({string.Join(", ", originIds)})
                  AND ch.{names.Column<ContactChange>(nameof(ContactChange.ChangedAt))} >= @from
                  AND ch.{names.Column<ContactChange>(nameof(ContactChange.ChangedAt))} < @to)
            """);
        if (fields is not null)
        {
            sql.Append(" ORDER BY c.").Append(names.Column<Contact>(nameof(Contact.Id)));
        }

        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>
    /// One correlated subquery per derived column, only when it is selected: each contact's relations are
    /// aggregated by the database in the same pass (no query per contact). Every joined table is limited to
    /// the company, so a row pointing elsewhere never shows. Ordered by name, then id; PostgreSQL orders with
    /// the "C" collation, byte order like SQLite's BINARY, so both engines give the same cell.
    /// </summary>
    private static string Derived(FieldKind kind, SqlNames names, bool postgres)
    {
        string Aggregate(string value, string orderBy) => postgres
            ? $"string_agg({value}, '; ' ORDER BY {orderBy})"
            : $"group_concat({value}, '; ' ORDER BY {orderBy})";
        var collate = postgres ? " COLLATE \"C\"" : "";
        var venue = names.Table<Venue>();
        var venueName = "v." + names.Column<Venue>(nameof(Venue.Name));
        var venueId = "v." + names.Column<Venue>(nameof(Venue.Id));
        var contactId = "c." + names.Column<Contact>(nameof(Contact.Id));
        switch (kind)
        {
            case FieldKind.Owners:
            {
                var user = names.Table<User>();
                var owner = names.Table<ContactOwner>();
                var userName = $"u.{names.Column<User>(nameof(User.FirstName))} || COALESCE(' ' || u.{names.Column<User>(nameof(User.LastName))}, '')";
                return $"""
                    (SELECT {Aggregate($"{venueName} || ': ' || {userName}", $"{venueName}{collate}, {venueId}")}
                    FROM {owner} AS o
                    JOIN {venue} AS v ON {venueId} = o.{names.Column<ContactOwner>(nameof(ContactOwner.VenueId))}
                    JOIN {user} AS u ON u.{names.Column<User>(nameof(User.Id))} = o.{names.Column<ContactOwner>(nameof(ContactOwner.UserId))}
                    WHERE o.{names.Column<ContactOwner>(nameof(ContactOwner.ContactId))} = {contactId}
                      AND o.{names.Column<ContactOwner>(nameof(ContactOwner.CompanyId))} = @company
                      AND v.{names.Column<Venue>(nameof(Venue.CompanyId))} = @company
                      AND u.{names.Column<User>(nameof(User.CompanyId))} = @company)
                    """;
            }

            case FieldKind.Qualifications:
            {
                var qualification = names.Table<ContactQualification>();
                return $"""
                    (SELECT {Aggregate($"{venueName} || ': ' || q.{names.Column<ContactQualification>(nameof(ContactQualification.Status))}", $"{venueName}{collate}, {venueId}")}
                    FROM {qualification} AS q
                    JOIN {venue} AS v ON {venueId} = q.{names.Column<ContactQualification>(nameof(ContactQualification.VenueId))}
                    WHERE q.{names.Column<ContactQualification>(nameof(ContactQualification.ContactId))} = {contactId}
                      AND q.{names.Column<ContactQualification>(nameof(ContactQualification.CompanyId))} = @company
                      AND v.{names.Column<Venue>(nameof(Venue.CompanyId))} = @company)
                    """;
            }

            case FieldKind.Tags:
            {
                var tagName = "t." + names.Column<Tag>(nameof(Tag.Name));
                return $"""
                    (SELECT {Aggregate(tagName, $"{tagName}{collate}, t.{names.Column<Tag>(nameof(Tag.Id))}")}
                    FROM {names.Table<ContactTag>()} AS ct
                    JOIN {names.Table<Tag>()} AS t ON t.{names.Column<Tag>(nameof(Tag.Id))} = ct.{names.Column<ContactTag>(nameof(ContactTag.TagId))}
                    WHERE ct.{names.Column<ContactTag>(nameof(ContactTag.ContactId))} = {contactId}
                      AND ct.{names.Column<ContactTag>(nameof(ContactTag.CompanyId))} = @company
                      AND t.{names.Column<Tag>(nameof(Tag.CompanyId))} = @company)
                    """;
            }

            default:
                throw new InvalidOperationException($"Field kind {kind} is not derived");
        }
    }
}
