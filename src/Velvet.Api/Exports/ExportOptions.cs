using Velvet.Api.Exports.Delivery;

namespace Velvet.Api.Exports;

/// <summary>The "Velvet:Exports" configuration section.</summary>
internal sealed class ExportOptions
{
    public const string Section = "Velvet:Exports";

    /// <summary>False leaves jobs to other processes (or to tests, which call ExportWorker.RunOnceAsync).</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>How long a finished local file can be downloaded; after that /data answers 410 / 4003.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A claim lasts this long unless renewed; the worker renews it every third of it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Claims before a job whose worker keeps dying is marked error instead of run again.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Rows between progress and row-count saves.</summary>
    public int ProgressEvery { get; set; } = 10_000;

    public int DeliveryAttempts { get; set; } = 5;

    public TimeSpan DeliveryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan DeliveryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    public DeliveryRetryOptions DeliveryRetry => new()
    {
        MaxAttempts = DeliveryAttempts,
        BaseDelay = DeliveryBaseDelay,
        MaxDelay = DeliveryMaxDelay,
    };
}
