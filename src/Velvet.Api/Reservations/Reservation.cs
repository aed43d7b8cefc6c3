using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Reservations;

/// <summary>reservations.md: a contact's booking at a venue. Minimal for now; the reservations issue adds the rest.</summary>
internal sealed class Reservation : IVenueBound
{
    public int Id { get; set; }

    public int CompanyId { get; set; }

    public int VenueId { get; set; }

    public int? ContactId { get; set; }

    public int? EventId { get; set; }

    public int? HostId { get; set; }

    public int CountMales { get; set; }

    public int CountFemales { get; set; }

    public decimal Minimum { get; set; }

    public string Stage { get; set; } = "lead";

    public string Status { get; set; } = "unconfirmed";

    public DateTime? Date { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class ReservationConfiguration : IEntityTypeConfiguration<Reservation>
{
    public void Configure(EntityTypeBuilder<Reservation> builder)
    {
        builder.Property(r => r.Stage).HasMaxLength(20);
        builder.Property(r => r.Status).HasMaxLength(40);
        builder.Property(r => r.Minimum).HasPrecision(12, 2);
        builder.HasIndex(r => new { r.CompanyId, r.VenueId });
    }
}

/// <summary>A subset of reservations.md's {reservation#HASH}: the keys this issue stores. venue_id is added so clients can file it.</summary>
internal sealed record ReservationJson(
    int Id,
    int VenueId,
    int? ContactId,
    int? EventId,
    int? HostId,
    int CountMales,
    int CountFemales,
    int PartySize,
    decimal Minimum,
    string Stage,
    string Status,
    DateTimeOffset? Date,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ReservationJson From(Reservation r, TimeZoneInfo zone) =>
        new(r.Id, r.VenueId, r.ContactId, r.EventId, r.HostId, r.CountMales, r.CountFemales, r.CountMales + r.CountFemales,
            r.Minimum, r.Stage, r.Status, WireTime.ToZone(r.Date, zone), WireTime.ToZone(r.CreatedAt, zone), WireTime.ToZone(r.UpdatedAt, zone));
}
