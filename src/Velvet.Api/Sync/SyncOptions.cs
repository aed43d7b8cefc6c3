namespace Velvet.Api.Sync;

/// <summary>Velvet:Sync settings.</summary>
internal sealed class SyncOptions
{
    public const string Section = "Velvet:Sync";

    /// <summary>More entries than this in one reply: "Too many changes" (the client reloads).</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Log entries older than this are pruned; a start_date before the horizon gets "Too many changes".</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>
    /// In process (SQLite): a registration is trusted this long, a backstop for one that leaked without its
    /// transaction's end being seen; after the lease the watermark moves on.
    /// </summary>
    public int WriterLeaseSeconds { get; set; } = 600;

    /// <summary>
    /// PostgreSQL (several nodes): the watermark stays this far below the computed one, so a node whose clock lags
    /// the reader's by less than this cannot stamp an entry below a timestamp already handed out. NTP keeps servers
    /// of one site within milliseconds; clients see a little more of the boundary second again.
    /// </summary>
    public int ClockSkewAllowanceMilliseconds { get; set; } = 250;
}
