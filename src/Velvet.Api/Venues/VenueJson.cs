using System.Text.Json.Serialization;
using Velvet.Api.Staff;

namespace Velvet.Api.Venues;

/// <summary>venues.md's {venue#HASH}.</summary>
internal sealed record VenueJson(
    int Id,
    string Name,
    string? Email,
    string? Location,
    double? Longitude,
    double? Latitude,
    string? Phone,
    string? Website,
    string? Facebook,
    string? Twitter,
    string? Instagram,
    string? VenueType,
    int Timezone,
    string? Description,
    [property: JsonPropertyName("logo_thumb_200_url")] string? LogoThumb200Url)
{
    /// <summary>timezone is the UTC offset in hours, as the original API sent it.</summary>
    public static VenueJson From(Venue venue, TimeZoneInfo zone) =>
        new(venue.Id, venue.Name, venue.Email, venue.Location, venue.Longitude, venue.Latitude, venue.Phone, venue.Website,
            venue.Facebook, venue.Twitter, venue.Instagram, venue.VenueType, (int)zone.GetUtcOffset(DateTime.UtcNow).TotalHours,
            venue.Description, PhotoJson.From(venue.LogoPath).Thumb200.Url);
}
