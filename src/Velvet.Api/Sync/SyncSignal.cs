using Npgsql;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>
/// Wakes long-polling Last Changes requests when a captured transaction commits. In process the capture
/// pulses it directly; on PostgreSQL writers also NOTIFY (delivered at commit) and <see cref="SyncListener"/>
/// pulses every server process.
/// </summary>
internal sealed class SyncSignal
{
    public const string Channel = "velvet_sync";

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Take this before reading the log: it completes on the next commit after that point.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>PostgreSQL only: LISTEN on one connection per process and pulse the local signal on every NOTIFY.</summary>
internal sealed class SyncListener(IServiceScopeFactory scopes, SyncSignal signal, ILogger<SyncListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? connectionString;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
            if (!Microsoft.EntityFrameworkCore.NpgsqlDatabaseFacadeExtensions.IsNpgsql(db.Database))
            {
                return;
            }

            connectionString = Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetConnectionString(db.Database);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, _) => signal.Pulse();
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand("LISTEN " + SyncSignal.Channel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // A reconnect may have missed notifications: wake everyone once.
                signal.Pulse();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Last Changes listener lost its connection; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
