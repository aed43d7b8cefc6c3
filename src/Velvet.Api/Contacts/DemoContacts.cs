using Velvet.Api.Notes;
using Velvet.Api.Storage;
using Velvet.Api.Tags;

namespace Velvet.Api.Contacts;

/// <summary>
/// Demo contacts for DemoData: tags in two categories, notes, owners and qualifications. Added through the
/// entities and SaveChangesAsync, so the change capture logs them as any other write.
/// </summary>
internal static class DemoContacts
{
    private static readonly string[] MusicTags = ["House", "Hip-hop", "Techno"];

    private static readonly string[] OccasionTags = ["Birthday", "Bottle service", "VIP table"];

    private static readonly (string First, string? Last, string? Email, string? Phone, string Status, string[] Tags, string? Note)[] Demo =
    [
        ("Olivia", "Bennett", "olivia.bennett@example.com", "(310)555-0101", "platinum", ["House", "Bottle service"], "Prefers the corner booth."),
        ("Liam", "Carter", "liam.carter@example.com", "(310)555-0102", "gold", ["Hip-hop"], null),
        ("Sophia", "Nguyen", "sophia.nguyen@example.com", null, "silver", ["Techno", "Birthday"], "Birthday in March; send an invite."),
        ("Noah", "Ramirez", null, "(424)555-0104", "no_level", [], null),
        ("Emma", "Rossi", "emma.rossi@example.com", "+39 06 6982 0105", "black", ["Bottle service", "VIP table"], "Comes with a party of eight."),
        ("James", "O'Connor", "james.oconnor@example.com", "(213)555-0106", "gold", ["House"], null),
        ("Ava", "Kim", "ava.kim@example.com", "(213)555-0107", "no_level", ["Birthday"], null),
        ("Lucas", "Fischer", "lucas.fischer@example.com", "+49 30 901820", "silver", ["Techno"], "Promoter in Berlin."),
        ("Mia", "Patel", "mia.patel@example.com", "(646)555-0109", "platinum", ["VIP table", "Hip-hop"], null),
        ("Ethan", null, "ethan@example.com", null, "no_level", [], null),
        ("Isabella", "Martins", "isabella.martins@example.com", "(305)555-0111", "gold", ["House", "VIP table"], "Allergic to nuts."),
        ("Benjamin", "Scott", "ben.scott@example.com", "(702)555-0112", "silver", ["Bottle service"], null),
    ];

    public static async Task SeedAsync(VelvetDb db, int companyId, int ownerId, int[] venueIds, int count, DateTime now, CancellationToken ct)
    {
        var music = new TagCategory
        {
            CompanyId = companyId,
            Name = "Music",
            Tags = [.. MusicTags.Select(n => new Tag { CompanyId = companyId, Name = n })],
        };
        var occasions = new TagCategory
        {
            CompanyId = companyId,
            Name = "Occasions",
            Tags = [.. OccasionTags.Select(n => new Tag { CompanyId = companyId, Name = n })],
        };
        db.TagCategories.AddRange(music, occasions);
        await db.SaveChangesAsync(ct);
        var tags = music.Tags.Concat(occasions.Tags).ToDictionary(t => t.Name, t => t.Id, StringComparer.Ordinal);

        var contacts = new List<(Contact Contact, string? Note)>();
        foreach (var (i, demo) in Demo.Take(count).Index())
        {
            var contact = new Contact
            {
                CompanyId = companyId,
                FirstName = demo.First,
                LastName = demo.Last,
                Email = demo.Email,
                Phone = demo.Phone is not null && PhoneFormat.TryNormalize(demo.Phone, out var phone) ? phone : null,
                Status = demo.Status,
                CreatedAt = now.AddDays(-i),
                UpdatedAt = now.AddDays(-i),
                Tags = [.. demo.Tags.Select(t => new ContactTag { CompanyId = companyId, TagId = tags[t] })],
                Owners = [new ContactOwner { CompanyId = companyId, VenueId = venueIds[i % venueIds.Length], UserId = ownerId }],
                Qualifications = [new ContactQualification { CompanyId = companyId, VenueId = venueIds[0], Status = ContactQualification.Statuses[i % 3] }],
            };
            contact.RefreshSearchKeys();
            db.Contacts.Add(contact);
            contacts.Add((contact, demo.Note));
        }

        await db.SaveChangesAsync(ct);
        foreach (var (contact, note) in contacts.Where(c => c.Note is not null))
        {
            db.Notes.Add(new Note { CompanyId = companyId, ContactId = contact.Id, UserId = ownerId, Text = note!, CreatedAt = now, UpdatedAt = now });
        }

        await db.SaveChangesAsync(ct);
    }
}
