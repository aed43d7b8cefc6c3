using System.Globalization;
using System.Text.RegularExpressions;
using Velvet.Api.Dictionaries;
using Velvet.Api.Wire;

namespace Velvet.Api.Contacts;

/// <summary>
/// contacts.md's contact hash applied to a contact, Rails-style: only the keys sent change (a partial
/// update), and every problem is collected as field → messages so the client gets them all at once.
/// Pure: no database, so the rules unit-test without a host.
/// </summary>
internal static partial class ContactParams
{
    public const string Blank = "can't be blank";
    public const string InvalidValue = "is invalid";
    public const string NotInList = "is not included in the list";

    /// <summary>Plain text fields copied as sent ("" clears them, as Rails stores blank as nil here).</summary>
    private static readonly (string Key, Action<Contact, string?> Set)[] TextFields =
    [
        ("last_name", (c, v) => c.LastName = v),
        ("title", (c, v) => c.Title = v),
        ("organization", (c, v) => c.Organization = v),
        ("address", (c, v) => c.Address = v),
        ("country", (c, v) => c.Country = v),
        ("zip", (c, v) => c.Zip = v),
        ("facebook", (c, v) => c.Facebook = v),
        ("twitter", (c, v) => c.Twitter = v),
        ("instagram", (c, v) => c.Instagram = v),
        ("skype", (c, v) => c.Skype = v),
        ("website", (c, v) => c.Website = v),
    ];

    /// <summary>Fields whose values come from a dictionaries.md vocabulary.</summary>
    private static readonly (string Key, string Dictionary, Action<Contact, string?> Set)[] DictionaryFields =
    [
        ("industry", Dictionary.Industries, (c, v) => c.Industry = v),
        ("ethnicity", Dictionary.Ethnicities, (c, v) => c.Ethnicity = v),
        ("sexual_preference", Dictionary.SexualPreferences, (c, v) => c.SexualPreference = v),
        ("region", Dictionary.Locations, (c, v) => c.Region = v),
        ("city", Dictionary.Locations, (c, v) => c.City = v),
        ("gender", Dictionary.Genders, (c, v) => c.Gender = v),
    ];

    /// <summary>Vocabulary fields that always hold a value: blank is refused like a value not in the list.</summary>
    private static readonly (string Key, string Dictionary, Action<Contact, string> Set)[] RequiredDictionaryFields =
    [
        ("state", Dictionary.States, (c, v) => c.State = v),
        ("status", Dictionary.Statuses, (c, v) => c.Status = v),
    ];

    /// <summary>Copies the sent keys of <paramref name="hash"/> onto the contact and validates the result.</summary>
    public static Dictionary<string, List<string>> Apply(ParamHash hash, Contact contact)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (hash.ContainsKey("first_name"))
        {
            contact.FirstName = Clean(hash.Str("first_name")) ?? "";
        }

        foreach (var (key, set) in TextFields)
        {
            if (hash.ContainsKey(key))
            {
                set(contact, Clean(hash.Str(key)));
            }
        }

        foreach (var (key, dictionary, set) in DictionaryFields)
        {
            if (hash.ContainsKey(key))
            {
                var value = Clean(hash.Str(key));
                if (value is not null && !Dictionary.Contains(dictionary, value))
                {
                    Add(errors, key, NotInList);
                }

                set(contact, value);
            }
        }

        foreach (var (key, dictionary, set) in RequiredDictionaryFields)
        {
            if (hash.ContainsKey(key))
            {
                var value = Clean(hash.Str(key));
                if (value is null || !Dictionary.Contains(dictionary, value))
                {
                    Add(errors, key, NotInList);
                }
                else
                {
                    set(contact, value);
                }
            }
        }

        if (hash.ContainsKey("birthdate"))
        {
            var text = Clean(hash.Str("birthdate"));
            if (text is null)
            {
                contact.Birthdate = null;
            }
            else if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                contact.Birthdate = date;
            }
            else
            {
                Add(errors, "birthdate", "is not a valid date (YYYY-MM-DD)");
            }
        }

        if (hash.ContainsKey("email"))
        {
            var email = Clean(hash.Str("email"));
            if (email is not null && !IsEmail(email))
            {
                Add(errors, "email", InvalidValue);
            }

            contact.Email = email;
        }

        if (hash.ContainsKey("phone"))
        {
            var phone = Clean(hash.Str("phone"));
            if (phone is null)
            {
                contact.Phone = null;
            }
            else if (PhoneFormat.TryNormalize(phone, out var normalized))
            {
                contact.Phone = normalized;
            }
            else
            {
                Add(errors, "phone", InvalidValue);
            }
        }

        Require(contact, errors);
        return errors;
    }

    /// <summary>contacts.md "always required: first_name, email or phone".</summary>
    public static void Require(Contact contact, Dictionary<string, List<string>> errors)
    {
        if (string.IsNullOrWhiteSpace(contact.FirstName))
        {
            Add(errors, "first_name", Blank);
        }

        if (contact.Email is null && contact.Phone is null && !errors.ContainsKey("email") && !errors.ContainsKey("phone"))
        {
            Add(errors, "email", "or phone can't be blank");
        }
    }

    public static bool IsEmail(string email) => email.Length <= 254 && EmailPattern().IsMatch(email);

    /// <summary>
    /// contacts.md's answer to a create whose e-mail or phone a contact of the company already has:
    /// "The {value} you entered is already associated with {name} owned by {owners}."
    /// </summary>
    public static string DuplicateMessage(string value, string contactName, IReadOnlyList<string> ownerNames) =>
        $"The {value} you entered is already associated with {contactName.Trim()} owned by {ToSentence(ownerNames)}.";

    /// <summary>Rails' Array#to_sentence: "A", "A and B", "A, B, and C"; nobody when there is no owner.</summary>
    public static string ToSentence(IReadOnlyList<string> words) => words.Count switch
    {
        0 => "nobody",
        1 => words[0],
        2 => $"{words[0]} and {words[1]}",
        _ => string.Join(", ", words.Take(words.Count - 1)) + ", and " + words[^1],
    };

    public static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            list = [];
            errors[field] = list;
        }

        list.Add(message);
    }

    public static IReadOnlyDictionary<string, string[]> Freeze(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
