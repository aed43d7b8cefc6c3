using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Velvet.Api.Auth;

/// <summary>
/// Failed sign-ins per account ("email:…") and per client address ("ip:…"). Kept in the database so that
/// every API node sharing it sees the same count.
/// </summary>
internal sealed class SignInThrottle
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    public required string Key { get; set; }

    public int Failures { get; set; }

    public DateTime WindowStartedAt { get; set; }

    public static bool IsLocked(SignInThrottle? throttle, DateTime now, int max = MaxFailures) =>
        throttle is not null && throttle.WindowStartedAt + Window > now && throttle.Failures >= max;

    public void RecordFailure(DateTime now)
    {
        if (WindowStartedAt + Window <= now)
        {
            WindowStartedAt = now;
            Failures = 0;
        }

        Failures++;
    }
}

internal sealed class SignInThrottleConfiguration : IEntityTypeConfiguration<SignInThrottle>
{
    public void Configure(EntityTypeBuilder<SignInThrottle> builder)
    {
        builder.HasKey(t => t.Key);
        builder.Property(t => t.Key).HasMaxLength(300);
    }
}
