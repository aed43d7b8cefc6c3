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
    /// A writer's registration is trusted this long. A process that dies mid-transaction leaves its row
    /// behind; after the lease the watermark moves on (a transaction open longer than this is not supported).
    /// </summary>
    public int WriterLeaseSeconds { get; set; } = 600;
}
