using Npgsql;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>
/// Wakes long-polling Last Changes requests when a captured transaction commits. In process the capture
/// pulses it directly; on PostgreSQL <see cref="SyncNotifications"/> tells the other server processes
/// (NOTIFY after the commit) and pulses this one when they commit.
/// </summary>
internal sealed class SyncSignal
{
    public const string Channel = "velvet_sync";

    private TaskCompletionSource _next = New();
    private TaskCompletionSource _localCommit = New();

    /// <summary>Take this before reading the log: it completes on the next commit after that point.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Completes on the next commit of this process after it was taken.</summary>
    public Task NextLocalCommit => Volatile.Read(ref _localCommit).Task;

    /// <summary>A captured transaction of this process has committed: its waiters wake now, other processes' soon after.</summary>
    public void Committed()
    {
        Pulse();
        Interlocked.Exchange(ref _localCommit, New()).TrySetResult();
    }

    /// <summary>Wakes this process's waiters: a commit elsewhere, or a listener that may have missed one.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// PostgreSQL only: tells every other server process of this one's commits and wakes this one on theirs. The
/// NOTIFY goes out after the commit, from a connection of its own, one for all commits made while the last
/// was being sent: a writer's transaction carries none (a NOTIFY holds a database-wide lock through its
/// commit). Waiters elsewhere that miss one (this process stopped in between) answer at their deadline.
/// </summary>
internal sealed class SyncNotifications(IServiceScopeFactory scopes, SyncSignal signal, ILogger<SyncNotifications> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The backend sending this process's NOTIFYs: their echo wakes no one here (the commit already did).</summary>
    private int _notifierPid;

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

        await Task.WhenAll(ListenAsync(connectionString!, stoppingToken), NotifyAsync(connectionString!, stoppingToken));
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) =>
                {
                    if (e.PID != Volatile.Read(ref _notifierPid))
                    {
                        signal.Pulse();
                    }
                };
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
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private async Task NotifyAsync(string connectionString, CancellationToken stoppingToken)
    {
        var commit = signal.NextLocalCommit;
        NpgsqlConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await commit.WaitAsync(stoppingToken);
                // Taken before sending: a commit during the send gets a NOTIFY of its own, those before it share this one.
                commit = signal.NextLocalCommit;
                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(connectionString);
                        await connection.OpenAsync(stoppingToken);
                        Volatile.Write(ref _notifierPid, connection.ProcessID);
                    }

                    await using var notify = new NpgsqlCommand("NOTIFY " + SyncSignal.Channel, connection);
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Last Changes could not notify other server processes; retrying");
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    // The commit is told with the next attempt.
                    commit = Task.CompletedTask;
                    await Task.Delay(RetryDelay, stoppingToken);
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
