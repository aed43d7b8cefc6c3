namespace Velvet.Api.Dictionaries;

/// <summary>
/// The fixed vocabularies the apps offer in pickers and the server validates against (dictionaries.md).
/// Ids are stable: clients cache them.
/// </summary>
internal sealed record Dictionary(int Id, string Key, IReadOnlyList<string> Value)
{
    public const string Industries = "industries";
    public const string Ethnicities = "ethnicities";
    public const string SexualPreferences = "sexual_preferences";
    public const string Locations = "locations";
    public const string TaskCategories = "task_categories";
    public const string TaskKinds = "task_kinds";
    public const string States = "states";
    public const string Statuses = "statuses";
    public const string Genders = "genders";

    public static readonly IReadOnlyList<Dictionary> All =
    [
        new(1, Industries, ["Advertising", "Agriculture", "Architecture", "Art", "Automotive", "Banking", "Construction",
            "Consulting", "Education", "Energy", "Entertainment", "Fashion", "Finance", "Food & Beverage", "Government",
            "Healthcare", "Hospitality", "Insurance", "IT", "Legal", "Manufacturing", "Media", "Music", "Nightlife",
            "Non-Profit", "Pharmaceuticals", "Real Estate", "Retail", "Sports", "Technology", "Telecommunications",
            "Transportation", "Travel", "Other"]),
        new(2, Ethnicities, ["African American", "Asian", "Caucasian", "Hispanic", "Middle Eastern", "Native American",
            "Pacific Islander", "Mixed", "Other"]),
        new(3, SexualPreferences, ["straight", "gay", "lesbian", "bisexual", "other"]),
        new(4, Locations, ["Atlanta", "Austin", "Boston", "Chicago", "Dallas", "Denver", "Houston", "Las Vegas",
            "Los Angeles", "Miami", "Nashville", "New Orleans", "New York", "Orlando", "Philadelphia", "Phoenix",
            "San Diego", "San Francisco", "Scottsdale", "Seattle", "Washington", "International", "Other"]),
        new(5, TaskCategories, ["call", "email", "text", "meeting", "follow_up", "birthday", "reservation", "guestlist", "other"]),
        new(6, TaskKinds, ["sales", "new_contacts", "logged_tasks", "guestlist", "partner_outreach", "social_media", "email_blasts"]),
        new(7, States, ["customer", "partner", "both"]),
        new(8, Statuses, ["no_level", "silver", "gold", "platinum", "black"]),
        new(9, Genders, ["male", "female"]),
    ];

    public static Dictionary? Find(string key) => All.FirstOrDefault(d => d.Key == key);

    public static bool Contains(string key, string value) =>
        Find(key)?.Value.Contains(value, StringComparer.Ordinal) == true;
}
