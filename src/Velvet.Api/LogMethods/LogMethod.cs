using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.LogMethods;

/// <summary>log_methods.md: one communication with a contact (call, e-mail, meeting…), optionally completing a task.</summary>
internal sealed class LogMethod : ICompanyOwned
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int? ContactId { get; set; }

    public int? TaskId { get; set; }

    public int? UserId { get; set; }

    public DateTime? Date { get; set; }

    public required string Kind { get; set; }

    public string? Location { get; set; }

    public double? LocationLat { get; set; }

    public double? LocationLng { get; set; }

    public string? Note { get; set; }

    public string? Result { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class LogMethodConfiguration : IEntityTypeConfiguration<LogMethod>
{
    public void Configure(EntityTypeBuilder<LogMethod> builder)
    {
        builder.Property(l => l.Kind).HasMaxLength(20);
        builder.Property(l => l.Location).HasMaxLength(500);
        builder.HasIndex(l => l.TaskId);
        builder.HasIndex(l => l.ContactId);
    }
}

/// <summary>log_methods.md's {log_method#HASH}.</summary>
internal sealed record LogMethodJson(
    int Id,
    int? ContactId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? Date,
    string Kind,
    string? Location,
    double? LocationLat,
    double? LocationLng,
    string? Note,
    string? Result,
    int? TaskId,
    int? UserId)
{
    public static LogMethodJson From(LogMethod log, TimeZoneInfo zone) =>
        new(log.Id, log.ContactId, WireTime.ToZone(log.CreatedAt, zone), WireTime.ToZone(log.UpdatedAt, zone),
            WireTime.ToZone(log.Date, zone), log.Kind, log.Location, log.LocationLat, log.LocationLng, log.Note, log.Result,
            log.TaskId, log.UserId);
}
