using System.Globalization;
using Velvet.Api.Contacts;

namespace Velvet.Api.Exports;

/// <summary>One exportable contact attribute with its stable v2 field id and its labels.</summary>
internal sealed record ContactField(int Id, string Key, string English, string German, string ApplicationType, Func<Contact, TimeZoneInfo, string?> Value)
{
    public string Label(string language) => language == "de" ? German : English;

    /// <summary>The <see cref="Contact"/> property behind the field: its key in PascalCase (first_name → FirstName).</summary>
    public string Property => string.Concat(Key.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}

/// <summary>
/// The v2 field catalog. Ids are a promise to export consumers (they are stored in their import
/// mappings): 1, 2 and 3 are the original API's first name, last name and e-mail; the rest were numbered
/// once and must never be renumbered or reused — add new attributes at the end. README "v2 contact fields"
/// lists the same table.
/// </summary>
internal static class ContactFields
{
    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    public static readonly IReadOnlyList<ContactField> All =
    [
        new(1, "first_name", "First Name", "Vorname", "shorttext", (c, _) => c.FirstName),
        new(2, "last_name", "Last Name", "Nachname", "shorttext", (c, _) => c.LastName),
        new(3, "email", "E-mail", "E-Mail", "longtext", (c, _) => c.Email),
        new(4, "title", "Title", "Titel", "shorttext", (c, _) => c.Title),
        new(5, "state", "State", "Art", "singlechoice", (c, _) => c.State),
        new(6, "gender", "Gender", "Geschlecht", "singlechoice", (c, _) => c.Gender),
        new(7, "birthdate", "Birth Date", "Geburtsdatum", "birthdate", (c, _) => c.Birthdate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new(8, "organization", "Organization", "Organisation", "shorttext", (c, _) => c.Organization),
        new(9, "industry", "Industry", "Branche", "shorttext", (c, _) => c.Industry),
        new(10, "ethnicity", "Ethnicity", "Ethnische Zugehörigkeit", "shorttext", (c, _) => c.Ethnicity),
        new(11, "sexual_preference", "Sexual Preference", "Sexuelle Orientierung", "shorttext", (c, _) => c.SexualPreference),
        new(12, "status", "Status", "Status", "singlechoice", (c, _) => c.Status),
        new(13, "phone", "Phone", "Telefon", "shorttext", (c, _) => c.Phone),
        new(14, "address", "Address", "Adresse", "longtext", (c, _) => c.Address),
        new(15, "country", "Country", "Land", "shorttext", (c, _) => c.Country),
        new(16, "region", "Region", "Region", "shorttext", (c, _) => c.Region),
        new(17, "city", "City", "Stadt", "shorttext", (c, _) => c.City),
        new(18, "zip", "ZIP Code", "Postleitzahl", "shorttext", (c, _) => c.Zip),
        new(19, "facebook", "Facebook", "Facebook", "shorttext", (c, _) => c.Facebook),
        new(20, "twitter", "Twitter", "Twitter", "shorttext", (c, _) => c.Twitter),
        new(21, "instagram", "Instagram", "Instagram", "shorttext", (c, _) => c.Instagram),
        new(22, "skype", "Skype", "Skype", "shorttext", (c, _) => c.Skype),
        new(23, "website", "Website", "Webseite", "url", (c, _) => c.Website),
        new(24, "nurtured", "Nurtured", "Betreut", "boolean", (c, _) => c.Nurtured ? "1" : "0"),
        new(25, "group_id", "Group ID", "Gruppen-ID", "numeric", (c, _) => c.GroupId?.ToString(CultureInfo.InvariantCulture)),
        new(26, "campaigns_count", "Campaigns", "Kampagnen", "numeric", (c, _) => c.CampaignsCount.ToString(CultureInfo.InvariantCulture)),
        new(27, "last_update", "Last Contacted", "Letzter Kontakt", "date", (c, zone) => Time(c.LastUpdate, zone)),
        new(28, "created_at", "Created", "Erstellt", "date", (c, zone) => Time(c.CreatedAt, zone)),
        new(29, "updated_at", "Updated", "Geändert", "date", (c, zone) => Time(c.UpdatedAt, zone)),
    ];

    private static readonly Dictionary<int, ContactField> ById = All.ToDictionary(f => f.Id);

    public static ContactField? Find(int id) => ById.GetValueOrDefault(id);

    /// <summary>Times in the company's zone, as the staff who entered them saw them.</summary>
    private static string? Time(DateTime? utc, TimeZoneInfo zone) => utc is { } value
        ? TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : null;
}
