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

    /// <summary>
    /// How long a commit waits for others to share its NOTIFY: waiters elsewhere hear of it that much later, and a
    /// process sends at most about a hundred a second however fast it writes (each costs PostgreSQL and every
    /// listening process some work).
    /// </summary>
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(10);

    /// <summary>This process's NOTIFY payload: their echo wakes no one here (the commit already did).</summary>
    private readonly string _origin = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await ConnectionStringAsync(scopes) is not { } connectionString)
        {
            return;
        }

        await Task.WhenAll(ListenAsync(connectionString, stoppingToken), NotifyAsync(connectionString, stoppingToken));
    }

    /// <summary>
    /// For a process that runs no notifier (the CLI): one NOTIFY, so waiters elsewhere hear of its commits now
    /// rather than at their deadline. A failure only makes them late.
    /// </summary>
    public static async Task NotifyOnceAsync(IServiceScopeFactory scopes, ILogger logger, CancellationToken ct)
    {
        try
        {
            if (await ConnectionStringAsync(scopes) is { } connectionString)
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                await SendAsync(connection, Guid.NewGuid().ToString("N"), ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Last Changes could not notify the server processes");
        }
    }

    /// <summary>
    /// Calls <paramref name="send"/> after every local commit (once at start too: start-up may have committed), one
    /// call for all commits made within <paramref name="window"/> of the first or while the last call ran, and again
    /// after a failure until it goes through.
    /// </summary>
    internal static async Task TellOthersAsync(SyncSignal signal, Func<CancellationToken, Task> send, ILogger logger, TimeSpan retryDelay,
        TimeSpan window, CancellationToken ct)
    {
        var commit = Task.CompletedTask;
        while (!ct.IsCancellationRequested)
        {
            await commit.WaitAsync(ct);
            if (window > TimeSpan.Zero)
            {
                await Task.Delay(window, ct);
            }

            // Taken before sending: a commit during the send gets a send of its own, those before it share this one.
            commit = signal.NextLocalCommit;
            try
            {
                await send(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Last Changes could not notify other server processes; retrying");
                commit = Task.CompletedTask;
                await Task.Delay(retryDelay, ct);
            }
        }
    }

    /// <summary>
    /// The database's connection string for these long-lived connections (null on SQLite): unpooled, so a broken one
    /// is closed for good; with keepalive queries and short timeouts, so a silently dropped link is noticed.
    /// </summary>
    private static async Task<string?> ConnectionStringAsync(IServiceScopeFactory scopes)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        if (!Microsoft.EntityFrameworkCore.NpgsqlDatabaseFacadeExtensions.IsNpgsql(db.Database))
        {
            return null;
        }

        return new NpgsqlConnectionStringBuilder(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetConnectionString(db.Database))
        {
            Pooling = false,
            KeepAlive = 15,
            Timeout = 10,
            CommandTimeout = 10,
        }.ConnectionString;
    }

    private static async Task SendAsync(NpgsqlConnection connection, string origin, CancellationToken ct)
    {
        // The payload is a hex GUID: nothing to quote.
        await using var notify = new NpgsqlCommand($"NOTIFY {SyncSignal.Channel}, '{origin}'", connection);
        await notify.ExecuteNonQueryAsync(ct);
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
                    if (e.Payload != _origin)
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
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Last Changes listener lost its connection; reconnecting");
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private async Task NotifyAsync(string connectionString, CancellationToken stoppingToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            await TellOthersAsync(signal, async ct =>
            {
                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(connectionString);
                        await connection.OpenAsync(ct);
                    }

                    await SendAsync(connection, _origin, ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // The next attempt starts on a new connection.
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    throw;
                }
            }, logger, RetryDelay, Window, stoppingToken);
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
