using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Forms;

/// <summary>
/// A public sign-up form: each company token of the public API is one. Its id is the origin id of the
/// contact changes it makes (origin "form"), which the v2 form list names and getchanges selects.
/// </summary>
internal sealed class SignupForm : ICompanyOwned
{
    public const string DefaultType = "signup";

    public int Id { get; set; }

    public int CompanyId { get; set; }

    public required string Name { get; set; }

    public string Type { get; set; } = DefaultType;

    /// <summary>An inactive form is no longer listed; the changes it made stay exportable by its id.</summary>
    public bool Active { get; set; } = true;

    /// <summary>SHA-256 of the public token; the token itself is shown once when the form is created.</summary>
    public required string TokenHash { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class SignupFormConfiguration : IEntityTypeConfiguration<SignupForm>
{
    public void Configure(EntityTypeBuilder<SignupForm> builder)
    {
        builder.Property(f => f.Name).HasMaxLength(200);
        builder.Property(f => f.Type).HasMaxLength(50);
        builder.Property(f => f.TokenHash).HasMaxLength(64);
        builder.HasIndex(f => f.TokenHash).IsUnique();
        builder.HasOne<Company>().WithMany().HasForeignKey(f => f.CompanyId);
    }
}
