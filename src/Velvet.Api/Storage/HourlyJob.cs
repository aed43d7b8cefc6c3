namespace Velvet.Api.Storage;

/// <summary>
/// Upkeep every server runs at start and then every hour, in a scope with system rights. A failure is logged and
/// tried again the next hour; the server keeps serving meanwhile.
/// </summary>
internal abstract class HourlyJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    /// <summary>The job as the log names it when it fails.</summary>
    protected abstract string Name { get; }

    protected abstract Task RunOnceAsync(VelvetDb db, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), Clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
                db.Tenant.UseSystem();
                await RunOnceAsync(db, stoppingToken);
            }
            // Anything but the host stopping: an exception escaping here would stop the whole server.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Job} failed; retrying next hour", Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
