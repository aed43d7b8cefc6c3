using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Auth;

/// <summary>
/// A server-to-server key: its token is a v1 auth_token, and its user name and secret sign v2 (X-WSSE) requests.
/// Each key is also an API source of contact changes (origin "api").
/// </summary>
internal sealed class ApiKey : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public required string Name { get; set; }

    /// <summary>SHA-256 of the auth token.</summary>
    public required string TokenHash { get; set; }

    public string? V2UserName { get; set; }

    /// <summary>
    /// The v2 secret, encrypted with Data Protection: WSSE digests are computed from the secret itself,
    /// so it cannot be stored as a one-way hash.
    /// </summary>
    public string? V2SecretProtected { get; set; }

    public bool Active { get; set; } = true;

    public DateTime CreatedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.TokenHash).HasMaxLength(64);
        builder.HasIndex(k => k.TokenHash).IsUnique();
        builder.Property(k => k.V2UserName).HasMaxLength(200);
        builder.HasIndex(k => k.V2UserName).IsUnique();
        builder.HasOne<Company>().WithMany().HasForeignKey(k => k.CompanyId);
    }
}
