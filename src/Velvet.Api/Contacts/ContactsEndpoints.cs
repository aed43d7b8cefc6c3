using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Notes;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Api.Wire;

namespace Velvet.Api.Contacts;

/// <summary>contacts.md: list and search, get, create, update, delete, set_qualification, expenditures.</summary>
internal static class ContactsEndpoints
{
    private const string ContactClass = "Contact";
    private const string OwnerClass = "ContactOwner";

    /// <summary>Contacts loaded and written per round trip while a list streams: bounded memory, no N+1.</summary>
    public const int BatchSize = 500;

    public const int MaxPerPage = 500;

    public static IEndpointRouteBuilder MapContacts(this IEndpointRouteBuilder routes)
    {
        var contacts = routes.MapGroup("/api/v1/contacts").WithTags("Contacts");
        contacts.MapGet("/", List);
        contacts.MapPost("/", Create);
        contacts.MapPost("/import", Import);
        contacts.MapGet("/{id:int}", Get);
        contacts.MapPut("/{id:int}", Update);
        contacts.MapDelete("/{id:int}", Delete);
        contacts.MapPost("/{id:int}/set_qualification", SetQualification);
        contacts.MapGet("/{id:int}/expenditures", Expenditures);
        return routes;
    }

    internal sealed record DuplicateJson(string Message, ContactJson Contact);

    internal sealed record QualificationSetJson(int ContactId, string Status, int VenueId);

    internal sealed record ExpendituresJson(
        decimal TotalSpent,
        decimal AverageSpent,
        decimal HighestSpent,
        decimal? TotalComp,
        int Reservations,
        int Campaigns,
        int Guestlists,
        int NoShows,
        int Cancellations,
        DateTimeOffset? LastReservation);

    /// <summary>List (ids) and search (search[email|phone|name]); paged only when page or per_page is sent.</summary>
    public static IResult List(RequestParams p, VelvetDb db, Caller caller, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Read);
        var query = db.Contacts.AsNoTracking();
        if (p.IntList("ids") is { } ids)
        {
            query = query.Where(c => ids.Contains(c.Id));
        }

        if (p.Hash("search") is { } search)
        {
            query = Search(query, search);
        }

        var joinOwners = p.Flag("join_owners");
        var page = p.Int("page");
        var perPage = p.Int("per_page");
        if (page is not null || perPage is not null)
        {
            if (page < 1 || perPage < 1)
            {
                throw ApiException.BadRequest("Invalid value for page or per_page: positive integers expected");
            }

            var size = Math.Min(perPage ?? 25, MaxPerPage);
            query = query.OrderBy(c => c.Id).Skip(((page ?? 1) - 1) * size).Take(size);
        }

        return Results.Json(Stream(db, caller, query, joinOwners, ct), WireJson.Options);
    }

    public static async Task<IResult> Get(int id, RequestParams p, VelvetDb db, Caller caller, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Read);
        return Results.Json(await LoadJsonAsync(db, caller, id, p.Flag("join_owners"), ct), WireJson.Options);
    }

    public static async Task<IResult> Create(RequestParams p, VelvetDb db, Caller caller, TimeProvider time, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Create);
        var hash = p.Hash("contact") ?? throw ApiException.BadRequest("Missing parameter: contact");
        var contact = new Contact { CompanyId = caller.CompanyId, FirstName = "" };
        var errors = ContactParams.Apply(hash, contact);
        var joinOwners = p.Flag("join_owners");
        ThrowIfInvalid(errors);

        contact.RefreshSearchKeys();
        if (await FindDuplicateAsync(db, contact, excludeId: null, ct) is { } duplicate)
        {
            // The Rails server answered 200 with this body, and deployed apps read the message from a success.
            var owners = await db.ContactOwners.AsNoTracking().Where(o => o.ContactId == duplicate.Id)
                .Join(db.Users, o => o.UserId, u => u.Id, (o, u) => new { o.VenueId, u.FirstName, u.LastName })
                .OrderBy(o => o.VenueId).ToListAsync(ct);
            var names = owners.Select(o => User.FullNameOf(o.FirstName, o.LastName)).Distinct(StringComparer.Ordinal).ToList();
            var message = ContactParams.DuplicateMessage(duplicate.Value, duplicate.Name, names);
            return Results.Json(new DuplicateJson(message, await LoadJsonAsync(db, caller, duplicate.Id, joinOwners, ct)), WireJson.Options);
        }

        var now = time.GetUtcNow().UtcDateTime;
        contact.CreatedAt = now;
        contact.UpdatedAt = now;
        await ApplyRelationsAsync(p, hash, db, caller, contact, isNew: true, errors, ct);
        ThrowIfInvalid(errors);
        db.Contacts.Add(contact);
        await db.SaveChangesAsync(ct);
        return Results.Json(await LoadJsonAsync(db, caller, contact.Id, joinOwners, ct), WireJson.Options);
    }

    /// <summary>
    /// contacts.md "Import": a vCard file (multipart "contacts", or the text itself as the curl example sends it).
    /// Cards without a first name or without a valid e-mail or phone, and cards whose e-mail or phone the company
    /// already has (or an earlier card of the file has), are skipped, as the Rails import did silently.
    /// </summary>
    public static async Task<IResult> Import(RequestParams p, VelvetDb db, Caller caller, TimeProvider time, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Create);
        string text;
        if (p.Files.GetValueOrDefault("contacts") is { } file)
        {
            using var reader = new StreamReader(file.OpenReadStream());
            text = await reader.ReadToEndAsync(ct);
        }
        else
        {
            text = p.Str("contacts") ?? throw ApiException.BadRequest("Missing parameter: contacts (a vCard file)");
        }

        var cards = VCard.Parse(text);
        if (cards.Count == 0)
        {
            throw ApiException.BadRequest("Invalid data format for contacts. vCard file expected");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var candidates = new List<Contact>();
        foreach (var card in cards)
        {
            var contact = new Contact
            {
                CompanyId = caller.CompanyId,
                FirstName = card.FirstName ?? "",
                LastName = card.LastName,
                Email = card.Email is { } email && ContactParams.IsEmail(email) ? email : null,
                Phone = PhoneFormat.TryNormalize(card.Phone, out var phone) ? phone : null,
                Organization = card.Organization,
                Title = card.Title,
                CreatedAt = now,
                UpdatedAt = now,
            };
            var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            ContactParams.Require(contact, errors);
            // A card whose text the database cannot hold (too long, a NUL) is skipped like any other invalid card.
            if (errors.Count == 0 && !TextLimits.Problems(db.Entry(contact)).Any())
            {
                contact.RefreshSearchKeys();
                candidates.Add(contact);
            }
        }

        var emailKeys = candidates.Select(c => c.EmailKey).OfType<string>().Distinct().ToList();
        var phoneKeys = candidates.Select(c => c.PhoneKey).OfType<string>().Distinct().ToList();
        // One round trip for both keys; a key of the other column that no card has matches no card below.
        var taken = await db.Contacts
            .Where(c => (c.EmailKey != null && emailKeys.Contains(c.EmailKey)) || (c.PhoneKey != null && phoneKeys.Contains(c.PhoneKey)))
            .Select(c => new { c.EmailKey, c.PhoneKey }).ToListAsync(ct);
        var takenEmails = taken.Select(t => t.EmailKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var takenPhones = taken.Select(t => t.PhoneKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var contact in candidates)
        {
            if ((contact.EmailKey is { } e && !takenEmails.Add(e)) | (contact.PhoneKey is { } ph && !takenPhones.Add(ph)))
            {
                continue;
            }

            db.Contacts.Add(contact);
        }

        await db.SaveChangesAsync(ct);
        return Results.Json(new { message = "File successfully uploaded" }, WireJson.Options);
    }

    public static async Task<IResult> Update(int id, RequestParams p, VelvetDb db, Caller caller, TimeProvider time, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Update);
        var contact = await db.Contacts.Include(c => c.Tags).Include(c => c.Owners).Include(c => c.Qualifications)
            .AsSplitQuery().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiException.NotFound();
        var hash = p.Hash("contact") ?? new ParamHash();
        var errors = ContactParams.Apply(hash, contact);
        ThrowIfInvalid(errors);
        contact.RefreshSearchKeys();
        if (await FindDuplicateAsync(db, contact, excludeId: contact.Id, ct) is { } duplicate)
        {
            ContactParams.Add(errors, duplicate.Field, "has already been taken");
        }

        await ApplyRelationsAsync(p, hash, db, caller, contact, isNew: false, errors, ct);
        ThrowIfInvalid(errors);
        contact.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return Results.Json(await LoadJsonAsync(db, caller, contact.Id, p.Flag("join_owners"), ct), WireJson.Options);
    }

    public static async Task<IResult> Delete(int id, VelvetDb db, Caller caller, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Destroy);
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiException.NotFound();

        // Reservations at any venue count, also those the caller cannot see: deleting the contact would orphan them.
        var reservations = await db.Reservations.IgnoreQueryFilters()
            .CountAsync(r => r.CompanyId == caller.CompanyId && r.ContactId == id, ct);
        // Guestlists have no table yet (their issue comes later), so a contact has none of them.
        const int guestlists = 0;
        if (!Contact.CanBeDeleted(reservations, guestlists))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "This contact can not be deleted");
        }

        // Change capture removes the synced dependents (qualifications, tag links, notes) at every venue under the
        // contact's row lock, so Last Changes sees them; owners are not synced and go with the database cascade.
        db.Contacts.Remove(contact);
        await db.SaveChangesAsync(ct);
        return Results.Json(new { message = "Success" }, WireJson.Options);
    }

    public static async Task<IResult> SetQualification(int id, RequestParams p, VelvetDb db, Caller caller, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Update);
        if (!await db.Contacts.AnyAsync(c => c.Id == id, ct))
        {
            throw ApiException.NotFound();
        }

        var venueId = p.Int("venue_id") ?? throw ApiException.BadRequest("Missing parameter: venue_id");
        RequireVisibleVenue(db, venueId);
        var status = p.Str("status");
        if (status is null || !ContactQualification.Statuses.Contains(status))
        {
            throw ApiException.Invalid(new Dictionary<string, string[]> { ["status"] = [ContactParams.NotInList] });
        }

        var qualification = await db.ContactQualifications.FirstOrDefaultAsync(q => q.ContactId == id && q.VenueId == venueId, ct);
        if (qualification is null)
        {
            db.ContactQualifications.Add(new ContactQualification { CompanyId = caller.CompanyId, ContactId = id, VenueId = venueId, Status = status });
        }
        else
        {
            qualification.Status = status;
        }

        await db.SaveChangesAsync(ct);
        return Results.Json(new QualificationSetJson(id, status, venueId), WireJson.Options);
    }

    public static async Task<IResult> Expenditures(int id, RequestParams p, VelvetDb db, Caller caller, CancellationToken ct)
    {
        caller.Require(ContactClass, Permissions.Read);
        if (!await db.Contacts.AnyAsync(c => c.Id == id, ct))
        {
            throw ApiException.NotFound();
        }

        if (p.Int("venue_id") is { } venueId)
        {
            RequireVisibleVenue(db, venueId);
        }

        var stats = StatsOf(id);
        return Results.Json(new ExpendituresJson(stats.TotalSpent, stats.AverageSpent, stats.HighestSpent, stats.TotalComp,
            stats.ReservationsCount, 0, stats.GuestlistsCount, stats.NoShows, stats.Cancellations,
            caller.Local(stats.LastReservation)), WireJson.Options);
    }

    /// <summary>
    /// Figures computed from reservations and guestlists; neither has a table yet (their issues add them),
    /// so every contact's figures are zero rather than stored constants.
    /// </summary>
    private static ContactStats StatsOf(int contactId) => ContactStats.None;

    internal static IQueryable<Contact> Search(IQueryable<Contact> query, ParamHash search)
    {
        if (search.Str("email") is { } email && !string.IsNullOrWhiteSpace(email))
        {
            var key = email.Trim().ToLowerInvariant();
            var pattern = AnywherePattern(key);
            query = query.Where(c => c.EmailKey != null && EF.Functions.Like(c.EmailKey, pattern, LikeEscape));
        }

        if (search.Str("phone") is { } phone && !string.IsNullOrWhiteSpace(phone))
        {
            var key = PhoneFormat.SearchKey(phone);
            if (key.Length == 0)
            {
                return query.Where(c => false);
            }

            // A whole number compares by its digits on the index; a fragment matches anywhere in them.
            query = PhoneFormat.TryNormalize(phone, out _)
                ? query.Where(c => c.PhoneKey == key)
                : query.Where(c => c.PhoneKey != null && c.PhoneKey.Contains(key));
        }

        if (search.Str("name") is { } name && !string.IsNullOrWhiteSpace(name))
        {
            var key = string.Join(' ', name.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var pattern = AnywherePattern(key);
            query = query.Where(c => EF.Functions.Like(c.NameKey, pattern, LikeEscape));
        }

        return query;
    }

    private const string LikeEscape = "\\";

    /// <summary>LIKE '%key%' with the user's own % and _ taken literally; keys are lower case, so both engines agree.</summary>
    internal static string AnywherePattern(string key) =>
        "%" + key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>
    /// Streams the contacts of <paramref name="query"/> in id order, one batch at a time with its tags,
    /// qualifications, owners and notes, so a 100,000-contact company is never held in memory at once.
    /// </summary>
    internal static async IAsyncEnumerable<ContactJson> Stream(
        VelvetDb db, Caller caller, IQueryable<Contact> query, bool joinOwners, [EnumeratorCancellation] CancellationToken ct)
    {
        var lastId = 0;
        while (true)
        {
            var batchIds = await query.Where(c => c.Id > lastId).OrderBy(c => c.Id).Select(c => c.Id).Take(BatchSize).ToListAsync(ct);
            if (batchIds.Count == 0)
            {
                yield break;
            }

            foreach (var json in await ToJsonAsync(db, caller, batchIds, joinOwners, ct))
            {
                yield return json;
            }

            if (batchIds.Count < BatchSize)
            {
                yield break;
            }

            lastId = batchIds[^1];
        }
    }

    private static async Task<ContactJson> LoadJsonAsync(VelvetDb db, Caller caller, int id, bool joinOwners, CancellationToken ct) =>
        (await ToJsonAsync(db, caller, [id], joinOwners, ct)).FirstOrDefault() ?? throw ApiException.NotFound();

    // One contact (get, create, update): one round trip, compiled once; the join's row multiplication is tiny here.
    private static readonly CompiledQuery<int, ContactWithNotes> One = new((db, id) => db.Contacts.AsNoTracking().AsSingleQuery()
        .Include(c => c.Tags).Include(c => c.Qualifications)
        .Where(c => c.Id == id)
        .Select(c => new ContactWithNotes(c, db.Notes.Where(n => n.ContactId == c.Id).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToList())));

    private static readonly CompiledQuery<int, ContactWithNotes> OneWithOwners = new((db, id) => db.Contacts.AsNoTracking().AsSingleQuery()
        .Include(c => c.Tags).Include(c => c.Qualifications).Include(c => c.Owners)
        .Where(c => c.Id == id)
        .Select(c => new ContactWithNotes(c, db.Notes.Where(n => n.ContactId == c.Id).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToList())));

    /// <summary>The JSON of the given contacts in id order; owners and qualifications as the caller's venues allow.</summary>
    private static async Task<List<ContactJson>> ToJsonAsync(VelvetDb db, Caller caller, List<int> ids, bool joinOwners, CancellationToken ct)
    {
        List<Contact> contacts;
        ILookup<int, Note> notes;
        if (ids.Count == 1)
        {
            var row = await (joinOwners ? OneWithOwners : One).RunAsync(db, ids[0]);
            contacts = row is null ? [] : [row.Contact];
            notes = (row?.Notes ?? []).ToLookup(n => n.ContactId!.Value);
        }
        else
        {
            IQueryable<Contact> query = db.Contacts.AsNoTracking().Where(c => ids.Contains(c.Id)).Include(c => c.Tags).Include(c => c.Qualifications);
            if (joinOwners)
            {
                query = query.Include(c => c.Owners);
            }

            // A batch: split queries, so tags × qualifications × notes never multiply rows across 500 contacts.
            contacts = await query.AsSplitQuery().OrderBy(c => c.Id).ToListAsync(ct);
            notes = (await db.Notes.AsNoTracking().Where(n => n.ContactId != null && ids.Contains(n.ContactId.Value))
                    .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync(ct))
                .ToLookup(n => n.ContactId!.Value);
        }

        var managesNotes = caller.Can("Note", Permissions.Manage);
        return
        [
            .. contacts.Select(c => ContactJson.From(c,
                [.. notes[c.Id].Select(n => NoteJson.From(n, caller.Zone, managesNotes || (n.UserId is not null && n.UserId == caller.UserId)))],
                StatsOf(c.Id), caller.Zone, joinOwners)),
        ];
    }

    private sealed record Duplicate(int Id, string Name, string Value, string Field);

    /// <summary>
    /// A contact of the company with the same e-mail or the same phone digits (e-mail first), in one round trip;
    /// the search keys of <paramref name="contact"/> must be refreshed already.
    /// </summary>
    private static async Task<Duplicate?> FindDuplicateAsync(VelvetDb db, Contact contact, int? excludeId, CancellationToken ct)
    {
        var emailKey = contact.EmailKey;
        var phoneKey = contact.PhoneKey;
        if (emailKey is null && phoneKey is null)
        {
            return null;
        }

        var match = await db.Contacts
            .Where(c => c.Id != excludeId && ((emailKey != null && c.EmailKey == emailKey) || (phoneKey != null && c.PhoneKey == phoneKey)))
            .Select(c => new { c.Id, c.FirstName, c.LastName, ByEmail = emailKey != null && c.EmailKey == emailKey })
            .OrderByDescending(c => c.ByEmail).ThenBy(c => c.Id)
            .FirstOrDefaultAsync(ct);
        return match switch
        {
            null => null,
            { ByEmail: true } => new Duplicate(match.Id, Contact.NameOf(match.FirstName, match.LastName), contact.Email!, "email"),
            _ => new Duplicate(match.Id, Contact.NameOf(match.FirstName, match.LastName), contact.Phone!, "phone"),
        };
    }

    /// <summary>tag_ids, contact[contact_owners] and the top-level contact_qualifications, each only when sent.</summary>
    private static async Task ApplyRelationsAsync(
        RequestParams p, ParamHash hash, VelvetDb db, Caller caller, Contact contact, bool isNew,
        Dictionary<string, List<string>> errors, CancellationToken ct)
    {
        if (hash.ContainsKey("tag_ids"))
        {
            var tagIds = (hash.IntList("tag_ids") ?? []).Distinct().ToList();
            var known = await db.Tags.Where(t => tagIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
            var unknown = tagIds.Except(known).Order().ToList();
            if (unknown.Count > 0)
            {
                ContactParams.Add(errors, "tag_ids", $"contains unknown tags: {string.Join(", ", unknown)}");
            }
            else
            {
                contact.Tags.RemoveAll(t => !tagIds.Contains(t.TagId));
                foreach (var tagId in tagIds.Where(t => contact.Tags.All(ct => ct.TagId != t)))
                {
                    contact.Tags.Add(new ContactTag { CompanyId = contact.CompanyId, TagId = tagId });
                }
            }
        }

        if (hash.ContainsKey("contact_owners"))
        {
            caller.Require(OwnerClass, isNew ? Permissions.Create : Permissions.Update);
            var visible = db.Tenant.VenueIds;
            var wanted = new Dictionary<int, int?>();
            foreach (var item in Items(hash, "contact_owners"))
            {
                var venueId = item.Int("venue_id");
                var userId = item.Int("user_id");
                if (venueId is null || !visible.Contains(venueId.Value))
                {
                    ContactParams.Add(errors, "contact_owners", $"venue {venueId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not one of your venues");
                    continue;
                }

                wanted[venueId.Value] = userId;
            }

            var userIds = wanted.Values.OfType<int>().Distinct().ToList();
            var knownUsers = await db.Users.Where(u => userIds.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
            foreach (var unknown in userIds.Except(knownUsers).Order())
            {
                ContactParams.Add(errors, "contact_owners", $"user {unknown} is not a member of the company");
            }

            if (!errors.ContainsKey("contact_owners"))
            {
                foreach (var (venueId, userId) in wanted)
                {
                    // One owner per venue: the sent user replaces the previous one; no user removes the owner.
                    var current = contact.Owners.FirstOrDefault(o => o.VenueId == venueId);
                    if (userId is null)
                    {
                        if (current is not null)
                        {
                            contact.Owners.Remove(current);
                        }
                    }
                    else if (current is null)
                    {
                        contact.Owners.Add(new ContactOwner { CompanyId = contact.CompanyId, VenueId = venueId, UserId = userId.Value });
                    }
                    else
                    {
                        current.UserId = userId.Value;
                    }
                }
            }
        }

        if (p.Root.ContainsKey("contact_qualifications"))
        {
            var visible = db.Tenant.VenueIds;
            foreach (var item in Items(p.Root, "contact_qualifications"))
            {
                var venueId = item.Int("venue_id");
                var status = item.Str("status");
                if (venueId is null || !visible.Contains(venueId.Value))
                {
                    ContactParams.Add(errors, "contact_qualifications", $"venue {venueId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not one of your venues");
                    continue;
                }

                if (status is null || !ContactQualification.Statuses.Contains(status))
                {
                    ContactParams.Add(errors, "contact_qualifications", $"status {ContactParams.NotInList}");
                    continue;
                }

                var current = contact.Qualifications.FirstOrDefault(q => q.VenueId == venueId);
                if (current is null)
                {
                    contact.Qualifications.Add(new ContactQualification { CompanyId = contact.CompanyId, VenueId = venueId.Value, Status = status });
                }
                else
                {
                    current.Status = status;
                }
            }
        }
    }

    /// <summary>The hashes of "x[][venue_id]=…" (a list) or of a JSON object keyed by index ("x[0][venue_id]=…").</summary>
    private static IEnumerable<ParamHash> Items(ParamHash parent, string key) => parent[key] switch
    {
        ParamList list => list.Items.Select(i => i as ParamHash ?? throw ApiException.BadRequest($"Invalid data format for {key}. Array of hashes expected")),
        ParamHash hash => hash.Keys.Select(k => hash.Hash(k) ?? throw ApiException.BadRequest($"Invalid data format for {key}. Array of hashes expected")),
        ParamNull => [],
        ParamValue { Value: "" } => [],
        _ => throw ApiException.BadRequest($"Invalid data format for {key}. Array of hashes expected"),
    };

    private static void RequireVisibleVenue(VelvetDb db, int venueId)
    {
        if (!db.Tenant.VenueIds.Contains(venueId))
        {
            throw ApiException.BadRequest($"Invalid venue id: {venueId}");
        }
    }

    private static void ThrowIfInvalid(Dictionary<string, List<string>> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(ContactParams.Freeze(errors));
        }
    }
}
