using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>How far the log has been pruned: a start_date before this would silently miss changes.</summary>
internal sealed class SyncHorizon
{
    public int Id { get; set; }

    public long PrunedBeforeTicks { get; set; }
}

internal sealed class SyncHorizonConfiguration : IEntityTypeConfiguration<SyncHorizon>
{
    public void Configure(EntityTypeBuilder<SyncHorizon> builder) => builder.Property(h => h.Id).ValueGeneratedNever();
}

/// <summary>
/// Retention: drops log entries older than the horizon and records it, so a device asking from before it gets
/// "Too many changes" (reload) rather than a gap. The horizon moves only when entries are actually dropped,
/// so the seed's 2014 start dates still work on a log that was never pruned.
/// </summary>
internal sealed class LogPruning(IServiceScopeFactory scopes, TimeProvider clock, SyncOptions options, ILogger<LogPruning> logger)
    : HourlyJob(scopes, clock, logger)
{
    public static async Task<DateTime> HorizonAsync(VelvetDb db, CancellationToken ct)
    {
        var ticks = await db.Set<SyncHorizon>().Where(h => h.Id == 1).Select(h => (long?)h.PrunedBeforeTicks).SingleOrDefaultAsync(ct);
        return new DateTime(ticks ?? 0, DateTimeKind.Utc);
    }

    /// <summary>One pruning step; the horizon is moved before entries are deleted so no reader trusts a range being emptied.</summary>
    public static async Task<int> PruneOnceAsync(VelvetDb db, DateTime now, SyncOptions options, CancellationToken ct)
    {
        var before = now.AddDays(-options.RetentionDays).Ticks;
        if (!await db.Set<ChangeLogEntry>().IgnoreQueryFilters().AnyAsync(e => e.Stamp < before, ct))
        {
            // Nothing to drop, so no gap: an old start_date still gets the complete log.
            return 0;
        }

        var horizon = await db.Set<SyncHorizon>().SingleOrDefaultAsync(h => h.Id == 1, ct);
        if (horizon is null)
        {
            db.Add(new SyncHorizon { Id = 1, PrunedBeforeTicks = before });
        }
        else if (horizon.PrunedBeforeTicks < before)
        {
            horizon.PrunedBeforeTicks = before;
        }

        await db.SaveChangesAsync(ct);
        // The log itself is not a captured table: a set-based delete is fine here.
        return await db.Set<ChangeLogEntry>().IgnoreQueryFilters().Where(e => e.Stamp < before).ExecuteDeleteAsync(ct);
    }

    protected override string Name => "Last Changes log pruning";

    protected override Task RunOnceAsync(VelvetDb db, CancellationToken ct) => PruneOnceAsync(db, Clock.GetUtcNow().UtcDateTime, options, ct);
}
