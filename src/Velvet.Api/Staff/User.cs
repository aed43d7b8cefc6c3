using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Staff;

/// <summary>A member of staff who signs in to the apps.</summary>
internal sealed class User : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    /// <summary>Lower-cased, trimmed: e-mail addresses are unique regardless of case.</summary>
    public required string Email { get; set; }

    public required string PasswordHash { get; set; }

    public required string FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Gender { get; set; }

    public string? Title { get; set; }

    public string? DepartmentName { get; set; }

    /// <summary>The permissions_struct as stored: class name → abilities.</summary>
    public Permissions Permissions { get; set; } = new();

    public bool Active { get; set; } = true;

    public string? Phone { get; set; }

    public bool PhoneVerified { get; set; }

    public bool SignupFlag { get; set; }

    public string? PhotoPath { get; set; }

    /// <summary>Venue ids chosen with venues/set_filters; null means all of the user's venues.</summary>
    public string? VenueFilter { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public List<UserVenue> Venues { get; set; } = [];

    public string FullName => FullNameOf(FirstName, LastName);

    /// <summary><see cref="FullName"/> of a user read as its columns only.</summary>
    public static string FullNameOf(string firstName, string? lastName) =>
        string.IsNullOrEmpty(lastName) ? firstName : firstName + " " + lastName;

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.Email).HasMaxLength(254);
        builder.HasIndex(u => u.Email).IsUnique();
        builder.Property(u => u.FirstName).HasMaxLength(100);
        builder.Property(u => u.LastName).HasMaxLength(100);
        builder.Property(u => u.Permissions).HasConversion(Permissions.Converter, Permissions.Comparer).HasMaxLength(4000);
        builder.HasOne<Company>().WithMany().HasForeignKey(u => u.CompanyId);
        builder.HasMany(u => u.Venues).WithOne().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
