namespace Velvet.Api.Exports;

/// <summary>How a field's value is read from its column and written to the file.</summary>
internal enum FieldKind
{
    /// <summary>A text column, as stored.</summary>
    Text,

    /// <summary>An integer column, invariant digits.</summary>
    Number,

    /// <summary>A boolean column: 1 or 0.</summary>
    Boolean,

    /// <summary>A date column: yyyy-MM-dd.</summary>
    Date,

    /// <summary>A UTC time column, written in the company's zone: yyyy-MM-dd HH:mm:ss.</summary>
    Time,

    /// <summary>Derived: "Venue: First Last" per owning venue, "; "-joined, by venue name.</summary>
    Owners,

    /// <summary>Derived: "Venue: status" per venue, "; "-joined, by venue name.</summary>
    Qualifications,

    /// <summary>Derived: the contact's tag names, "; "-joined, by name.</summary>
    Tags,
}

/// <summary>One exportable contact attribute with its stable v2 field id and its labels.</summary>
internal sealed record ContactField(int Id, string Key, string English, string German, string ApplicationType, FieldKind Kind)
{
    public string Label(string language) => language == "de" ? German : English;

    /// <summary>Read from a subquery over the contact's relations rather than from a Contacts column.</summary>
    public bool IsDerived => Kind is FieldKind.Owners or FieldKind.Qualifications or FieldKind.Tags;

    /// <summary>The <see cref="Contacts.Contact"/> property behind the field: its key in PascalCase (first_name → FirstName).</summary>
    public string Property => string.Concat(Key.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}

/// <summary>
/// The v2 field catalog. Ids are a promise to export consumers (they are stored in their import
/// mappings): 1, 2 and 3 are the original API's first name, last name and e-mail; the rest were numbered
/// once and must never be renumbered or reused — add new attributes at the end. Fields derived from a
/// contact's relations live in the six-digit range where the original API numbered its custom fields
/// (seed 004's example asks for 106533). README "v2 contact fields" lists the same table.
/// </summary>
internal static class ContactFields
{
    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    public static readonly IReadOnlyList<ContactField> All =
    [
        new(1, "first_name", "First Name", "Vorname", "shorttext", FieldKind.Text),
        new(2, "last_name", "Last Name", "Nachname", "shorttext", FieldKind.Text),
        new(3, "email", "E-mail", "E-Mail", "longtext", FieldKind.Text),
        new(4, "title", "Title", "Titel", "shorttext", FieldKind.Text),
        new(5, "state", "State", "Art", "singlechoice", FieldKind.Text),
        new(6, "gender", "Gender", "Geschlecht", "singlechoice", FieldKind.Text),
        new(7, "birthdate", "Birth Date", "Geburtsdatum", "birthdate", FieldKind.Date),
        new(8, "organization", "Organization", "Organisation", "shorttext", FieldKind.Text),
        new(9, "industry", "Industry", "Branche", "shorttext", FieldKind.Text),
        new(10, "ethnicity", "Ethnicity", "Ethnische Zugehörigkeit", "shorttext", FieldKind.Text),
        new(11, "sexual_preference", "Sexual Preference", "Sexuelle Orientierung", "shorttext", FieldKind.Text),
        new(12, "status", "Status", "Status", "singlechoice", FieldKind.Text),
        new(13, "phone", "Phone", "Telefon", "shorttext", FieldKind.Text),
        new(14, "address", "Address", "Adresse", "longtext", FieldKind.Text),
        new(15, "country", "Country", "Land", "shorttext", FieldKind.Text),
        new(16, "region", "Region", "Region", "shorttext", FieldKind.Text),
        new(17, "city", "City", "Stadt", "shorttext", FieldKind.Text),
        new(18, "zip", "ZIP Code", "Postleitzahl", "shorttext", FieldKind.Text),
        new(19, "facebook", "Facebook", "Facebook", "shorttext", FieldKind.Text),
        new(20, "twitter", "Twitter", "Twitter", "shorttext", FieldKind.Text),
        new(21, "instagram", "Instagram", "Instagram", "shorttext", FieldKind.Text),
        new(22, "skype", "Skype", "Skype", "shorttext", FieldKind.Text),
        new(23, "website", "Website", "Webseite", "url", FieldKind.Text),
        new(24, "nurtured", "Nurtured", "Betreut", "boolean", FieldKind.Boolean),
        new(25, "group_id", "Group ID", "Gruppen-ID", "numeric", FieldKind.Number),
        new(26, "campaigns_count", "Campaigns", "Kampagnen", "numeric", FieldKind.Number),
        new(27, "last_update", "Last Contacted", "Letzter Kontakt", "date", FieldKind.Time),
        new(28, "created_at", "Created", "Erstellt", "date", FieldKind.Time),
        new(29, "updated_at", "Updated", "Geändert", "date", FieldKind.Time),
        new(106531, "owners", "Owners", "Betreuer", "longtext", FieldKind.Owners),
        new(106532, "qualifications", "Qualifications", "Qualifizierungen", "longtext", FieldKind.Qualifications),
        new(106533, "tags", "Tags", "Tags", "longtext", FieldKind.Tags),
    ];

    private static readonly Dictionary<int, ContactField> ById = All.ToDictionary(f => f.Id);

    public static ContactField? Find(int id) => ById.GetValueOrDefault(id);
}
