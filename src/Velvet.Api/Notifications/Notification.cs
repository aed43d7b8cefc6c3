using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Notifications;

/// <summary>notifications.md: a message to one user (the recipient, user_id); only that user's devices receive it.</summary>
internal sealed class Notification : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int UserId { get; set; }

    public int? SenderId { get; set; }

    public string? SenderType { get; set; }

    public string? Title { get; set; }

    public string? Message { get; set; }

    public bool Read { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.Property(n => n.SenderType).HasMaxLength(50);
        builder.Property(n => n.Title).HasMaxLength(200);
        builder.Property(n => n.Message).HasMaxLength(10_000);
        builder.HasIndex(n => new { n.CompanyId, n.UserId });
    }
}

/// <summary>notifications.md's {notification#HASH}.</summary>
internal sealed record NotificationJson(int Id, int UserId, int? SenderId, string? SenderType, string? Title, string? Message, bool Read, DateTimeOffset CreatedAt)
{
    public static NotificationJson From(Notification n, TimeZoneInfo zone) =>
        new(n.Id, n.UserId, n.SenderId, n.SenderType, n.Title, n.Message, n.Read, WireTime.ToZone(n.CreatedAt, zone));
}
