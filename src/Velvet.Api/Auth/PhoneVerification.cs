using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Staff;

namespace Velvet.Api.Auth;

/// <summary>A pending phone verification: the code's hash, an expiry and an attempt budget.</summary>
internal sealed class PhoneVerification
{
    public const int MaxAttempts = 5;

    public int Id { get; set; }

    public int UserId { get; set; }

    public required string Phone { get; set; }

    public required string CodeHash { get; set; }

    public DateTime ExpiresAt { get; set; }

    public int Attempts { get; set; }

    public DateTime SentAt { get; set; }
}

internal sealed class PhoneVerificationConfiguration : IEntityTypeConfiguration<PhoneVerification>
{
    public void Configure(EntityTypeBuilder<PhoneVerification> builder)
    {
        builder.Property(v => v.Phone).HasMaxLength(32);
        builder.Property(v => v.CodeHash).HasMaxLength(64);
        builder.HasIndex(v => v.UserId).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
