using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Staff;
using Velvet.Api.Storage;

namespace Velvet.Api.Auth;

/// <summary>
/// A signed-in device: one token per (user, device_token). Signing in again on the same device
/// replaces the token; signing out deletes the row, so the device is unknown to Last Changes.
/// </summary>
internal sealed class Device : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int UserId { get; set; }

    public required string DeviceToken { get; set; }

    public string? MobileOs { get; set; }

    /// <summary>Application type (applications.md): 1 iOS, 2 Android, 3 at-the-rope iPad; null for the web app.</summary>
    public int? AppId { get; set; }

    /// <summary>SHA-256 of the auth token; the token itself is never stored.</summary>
    public required string TokenHash { get; set; }

    public string? ApnToken { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastUsedAt { get; set; }

    public User? User { get; set; }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.DeviceToken).HasMaxLength(200);
        builder.Property(d => d.MobileOs).HasMaxLength(20);
        builder.Property(d => d.TokenHash).HasMaxLength(64);
        builder.HasIndex(d => d.TokenHash).IsUnique();
        builder.HasIndex(d => new { d.UserId, d.DeviceToken }).IsUnique();
        builder.HasOne(d => d.User).WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
