using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Auth;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>
/// One captured create, update or destroy, written in the same transaction as the change by
/// <see cref="ChangeCapture"/>. Id is the position in the log (commit order per record); Stamp is what the
/// clients' start_date is compared with.
/// </summary>
internal sealed class ChangeLogEntry : ICompanyOwned
{
    public long Id { get; set; }

    public int CompanyId { get; set; }

    public required string ClassName { get; set; }

    public int RecordId { get; set; }

    /// <summary>create, update or destroy.</summary>
    public required string Action { get; set; }

    /// <summary>The record's JSON after the change (the endpoints' *Json.From); null on destroy.</summary>
    public string? Data { get; set; }

    /// <summary>Venue-bound classes: only users working at this venue see the entry.</summary>
    public int? VenueId { get; set; }

    /// <summary>Per-user classes (Task assignee, Notification recipient, UserVenue's user): only this user sees it.</summary>
    public int? UserId { get; set; }

    /// <summary>UTC ticks from <see cref="SyncWatermark.NowTicks"/> (TimeProvider, never going backwards), read after the writer registered (see <see cref="SyncWatermark"/>).</summary>
    public long Stamp { get; set; }
}

/// <summary>Per device and class: the device holds a full copy and may ask for deltas. Deleted when the user's rights change.</summary>
internal sealed class SyncAcknowledgment : ICompanyOwned
{
    public long Id { get; set; }

    public int CompanyId { get; set; }

    public int DeviceId { get; set; }

    public int UserId { get; set; }

    public required string ClassName { get; set; }

    /// <summary>The device's stated time of its database state, UTC ticks.</summary>
    public long Timestamp { get; set; }
}

internal sealed class ChangeLogEntryConfiguration : IEntityTypeConfiguration<ChangeLogEntry>
{
    public void Configure(EntityTypeBuilder<ChangeLogEntry> builder)
    {
        builder.ToTable("ChangeLog");
        builder.Property(e => e.ClassName).HasMaxLength(30);
        builder.Property(e => e.Action).HasMaxLength(10);
        builder.HasIndex(e => new { e.CompanyId, e.ClassName, e.Stamp });
        builder.HasIndex(e => e.Stamp);
    }
}

internal sealed class SyncAcknowledgmentConfiguration : IEntityTypeConfiguration<SyncAcknowledgment>
{
    public void Configure(EntityTypeBuilder<SyncAcknowledgment> builder)
    {
        builder.Property(a => a.ClassName).HasMaxLength(30);
        builder.HasIndex(a => new { a.DeviceId, a.ClassName }).IsUnique();
        builder.HasIndex(a => a.UserId);
        // Signing out deletes the device, and with it what the device acknowledged.
        builder.HasOne<Device>().WithMany().HasForeignKey(a => a.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}
