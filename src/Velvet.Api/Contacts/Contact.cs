using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;
using Velvet.Api.Tags;

namespace Velvet.Api.Contacts;

/// <summary>A guest. Belongs to the company; owners and qualifications are per venue.</summary>
internal sealed class Contact : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public required string FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Title { get; set; }

    /// <summary>customer, partner or both.</summary>
    public string State { get; set; } = "customer";

    public string? Gender { get; set; }

    public DateOnly? Birthdate { get; set; }

    public string? Organization { get; set; }

    public string? Industry { get; set; }

    public string? Ethnicity { get; set; }

    public string? SexualPreference { get; set; }

    /// <summary>no_level, silver, gold, platinum or black.</summary>
    public string Status { get; set; } = "no_level";

    public string? Email { get; set; }

    /// <summary>"(123)456-7890" for North American numbers, E.164 otherwise (see PhoneFormat).</summary>
    public string? Phone { get; set; }

    public string? Address { get; set; }

    public string? Country { get; set; }

    public string? Region { get; set; }

    public string? City { get; set; }

    public string? Zip { get; set; }

    public string? Facebook { get; set; }

    public string? Twitter { get; set; }

    public string? Instagram { get; set; }

    public string? Skype { get; set; }

    public string? Website { get; set; }

    public bool Nurtured { get; set; }

    public int? GroupId { get; set; }

    /// <summary>Base path of the avatar renditions under the uploads folder; null without an avatar.</summary>
    public string? AvatarPath { get; set; }

    public int CampaignsCount { get; set; }

    /// <summary>Last time staff communicated with the contact (a log method was created).</summary>
    public DateTime? LastUpdate { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    // Search keys, kept in step with the fields above by Contact.RefreshSearchKeys so that indexes serve searches.
    [DerivedText]
    public string? EmailKey { get; set; }

    [DerivedText]
    public string? PhoneKey { get; set; }

    [DerivedText]
    public string NameKey { get; set; } = "";

    public List<ContactOwner> Owners { get; set; } = [];

    public List<ContactQualification> Qualifications { get; set; } = [];

    public List<ContactTag> Tags { get; set; } = [];

    /// <summary>The apps show "first last" and keep the trailing space when there is no last name ("John ").</summary>
    public string Name => NameOf(FirstName, LastName);

    /// <summary><see cref="Name"/> of a contact read as its columns only.</summary>
    public static string NameOf(string firstName, string? lastName) => firstName + " " + (lastName ?? "");

    /// <summary>contacts.md: a contact with reservations or guestlists stays (403 "This contact can not be deleted").</summary>
    public static bool CanBeDeleted(int reservationsCount, int guestlistsCount) => reservationsCount == 0 && guestlistsCount == 0;

    public void RefreshSearchKeys()
    {
        EmailKey = string.IsNullOrWhiteSpace(Email) ? null : Email.Trim().ToLowerInvariant();
        PhoneKey = string.IsNullOrWhiteSpace(Phone) ? null : PhoneFormat.SearchKey(Phone);
        NameKey = Name.Trim().ToLowerInvariant();
    }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.Property(c => c.FirstName).HasMaxLength(100);
        builder.Property(c => c.LastName).HasMaxLength(100);
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.Phone).HasMaxLength(32);
        builder.Property(c => c.EmailKey).HasMaxLength(254);
        builder.Property(c => c.PhoneKey).HasMaxLength(32);
        builder.Property(c => c.NameKey).HasMaxLength(201);
        builder.Property(c => c.State).HasMaxLength(20);
        builder.Property(c => c.Status).HasMaxLength(20);
        builder.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId);
        builder.HasIndex(c => new { c.CompanyId, c.EmailKey });
        builder.HasIndex(c => new { c.CompanyId, c.PhoneKey });
        builder.HasIndex(c => new { c.CompanyId, c.NameKey });
        builder.HasMany(c => c.Owners).WithOne().HasForeignKey(o => o.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Qualifications).WithOne().HasForeignKey(q => q.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
    }

    /// <summary>
    /// PostgreSQL only: trigram indexes serve search[name] and search[email], which match anywhere in the key
    /// (LIKE '%x%'), so 100,000-contact companies are not scanned. SQLite scans the narrow covering
    /// (CompanyId, key) b-tree indexes instead (docs/benchmarks.md).
    /// </summary>
    public static void ConfigurePostgres(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.Entity<Contact>().HasIndex(c => c.NameKey, "IX_Contacts_NameKey_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        modelBuilder.Entity<Contact>().HasIndex(c => c.EmailKey, "IX_Contacts_EmailKey_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
    }
}
