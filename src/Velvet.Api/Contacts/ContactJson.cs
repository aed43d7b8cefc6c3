using System.Text.Json.Serialization;
using Velvet.Api.Notes;
using Velvet.Api.Staff;
using Velvet.Api.Wire;

namespace Velvet.Api.Contacts;

/// <summary>
/// Spending and visit figures of a contact, computed from its reservations and guestlists
/// (never stored): zero until those exist.
/// </summary>
internal sealed record ContactStats(
    decimal TotalSpent,
    decimal AverageSpent,
    decimal HighestSpent,
    decimal? TotalComp,
    int ReservationsCount,
    int GuestlistsCount,
    int NoShows,
    int Cancellations,
    DateTime? LastReservation,
    DateTime? LastVisit,
    IReadOnlyList<int>? VisitedVenueIds)
{
    public static readonly ContactStats None = new(0m, 0m, 0m, null, 0, 0, 0, 0, null, null, null);
}

/// <summary>A contact read with its tags and qualifications included and its notes beside it, in one round trip.</summary>
internal sealed record ContactWithNotes(Contact Contact, List<Note> Notes);

internal sealed record ContactQualificationJson(int Id, int VenueId, string Status);

internal sealed record ContactOwnerJson(int Id, int UserId, int VenueId);

/// <summary>
/// The contact as seed 001 shows it (the shape Last Changes carries) plus contacts.md's
/// contact_qualifications and, when asked for, contact_owners. Endpoints and Last Changes both
/// build it with <see cref="From"/>, so the two cannot drift.
/// </summary>
internal sealed record ContactJson(
    int Id,
    string FirstName,
    string? LastName,
    string? Title,
    string State,
    string? AvatarMobileThumbUrl,
    string? Gender,
    DateOnly? Birthdate,
    string? Organization,
    string? Industry,
    string? Ethnicity,
    string? SexualPreference,
    string Status,
    string? Email,
    string? Phone,
    string? Address,
    string? Country,
    string? Region,
    string? City,
    string? Zip,
    string? Facebook,
    string? Twitter,
    string? Instagram,
    string? Skype,
    string? Website,
    decimal TotalSpent,
    decimal AverageSpent,
    decimal HighestSpent,
    int ReservationsCount,
    int CampaignsCount,
    int GuestlistsCount,
    int Cancellations,
    DateTimeOffset? LastReservation,
    DateTimeOffset? LastVisit,
    DateTimeOffset? LastUpdate,
    DateTimeOffset CreatedAt,
    IReadOnlyList<int>? VisitedVenueIds,
    decimal? TotalComp,
    int NoShows,
    bool Nurtured,
    PhotoJson Avatar,
    IReadOnlyList<NoteJson> Notes,
    IReadOnlyList<int> Tags,
    string Name,
    int? GroupId,
    IReadOnlyList<ContactQualificationJson> ContactQualifications,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ContactOwnerJson>? ContactOwners)
{
    /// <param name="contact">With Tags, Qualifications and Owners loaded (already limited to what the viewer may see).</param>
    /// <param name="notes">The contact's notes, as the viewer sees them.</param>
    /// <param name="joinOwners">contacts.md: owners are included only when asked for.</param>
    public static ContactJson From(Contact contact, IReadOnlyList<NoteJson> notes, ContactStats stats, TimeZoneInfo zone, bool joinOwners)
    {
        var avatar = PhotoJson.From(contact.AvatarPath);
        return new ContactJson(
            contact.Id, contact.FirstName, contact.LastName, contact.Title, contact.State, avatar.MobileThumb.Url,
            contact.Gender, contact.Birthdate, contact.Organization, contact.Industry, contact.Ethnicity,
            contact.SexualPreference, contact.Status, contact.Email, contact.Phone, contact.Address, contact.Country,
            contact.Region, contact.City, contact.Zip, contact.Facebook, contact.Twitter, contact.Instagram, contact.Skype,
            contact.Website, stats.TotalSpent, stats.AverageSpent, stats.HighestSpent, stats.ReservationsCount,
            contact.CampaignsCount, stats.GuestlistsCount, stats.Cancellations,
            WireTime.ToZone(stats.LastReservation, zone), WireTime.ToZone(stats.LastVisit, zone),
            WireTime.ToZone(contact.LastUpdate, zone), WireTime.ToZone(contact.CreatedAt, zone), stats.VisitedVenueIds,
            stats.TotalComp, stats.NoShows, contact.Nurtured, avatar, notes,
            [.. contact.Tags.Select(t => t.TagId).Order()], contact.Name, contact.GroupId,
            [.. contact.Qualifications.OrderBy(q => q.VenueId).Select(q => new ContactQualificationJson(q.Id, q.VenueId, q.Status))],
            joinOwners ? [.. contact.Owners.OrderBy(o => o.VenueId).Select(o => new ContactOwnerJson(o.Id, o.UserId, o.VenueId))] : null);
    }
}
