using System.Text.Json.Serialization;
using Velvet.Api.Venues;

namespace Velvet.Api.Staff;

/// <summary>users.md's {venue#HASH} inside a user: home as 1/0, selected by the venue filter.</summary>
internal sealed record UserVenueJson(int Id, string Name, int Home, bool Selected);

internal sealed record UrlJson(string? Url);

internal sealed record PhotoJson(
    string? Url,
    [property: JsonPropertyName("thumb_100")] UrlJson Thumb100,
    UrlJson MobileThumb,
    [property: JsonPropertyName("thumb_200")] UrlJson Thumb200)
{
    public static PhotoJson From(string? basePath) => basePath is null
        ? new PhotoJson(null, new UrlJson(null), new UrlJson(null), new UrlJson(null))
        : new PhotoJson($"/uploads/{basePath}/original.jpg", new UrlJson($"/uploads/{basePath}/thumb_100.jpg"),
            new UrlJson($"/uploads/{basePath}/mobile_thumb.jpg"), new UrlJson($"/uploads/{basePath}/thumb_200.jpg"));
}

internal sealed record UserImageJson(PhotoJson Photo);

/// <summary>users.md's {user#HASH}.</summary>
internal sealed record UserJson(
    int Id,
    string FirstName,
    string? LastName,
    string? Gender,
    string? Title,
    IReadOnlyList<UserVenueJson> AllVenues,
    string? DepartmentName,
    UserImageJson UserImage)
{
    public static UserJson From(User user, IReadOnlyList<(UserVenue Link, string VenueName)> venues, int[] filteredVenueIds) =>
        new(user.Id, user.FirstName, user.LastName, user.Gender, user.Title,
            [.. venues.OrderBy(v => v.VenueName, StringComparer.Ordinal)
                .Select(v => new UserVenueJson(v.Link.VenueId, v.VenueName, v.Link.Home ? 1 : 0, filteredVenueIds.Contains(v.Link.VenueId)))],
            user.DepartmentName, new UserImageJson(PhotoJson.From(user.PhotoPath)));

    public static IReadOnlyList<(UserVenue, string)> VenuesOf(User user) =>
        [.. user.Venues.Where(v => v.Venue is not null).Select(v => (v, v.Venue!.Name))];

    public static UserJson From(User user) =>
        From(user, VenuesOf(user), VenueFilter.Apply(user.VenueFilter, [.. user.Venues.Select(v => v.VenueId)]));
}

/// <summary>profile.md: the user hash plus the permissions_struct the apps use to show or hide actions.</summary>
internal sealed record ProfileJson(
    int Id,
    string FirstName,
    string? LastName,
    string? Gender,
    string? Title,
    IReadOnlyList<UserVenueJson> AllVenues,
    string? DepartmentName,
    UserImageJson UserImage,
    string Email,
    string? Phone,
    bool PhoneVerified,
    IReadOnlyDictionary<string, IReadOnlyList<string>> PermissionsStruct)
{
    public static ProfileJson From(User user)
    {
        var u = UserJson.From(user);
        return new(u.Id, u.FirstName, u.LastName, u.Gender, u.Title, u.AllVenues, u.DepartmentName, u.UserImage,
            user.Email, user.Phone, user.PhoneVerified, user.Permissions.ToDictionary());
    }
}
