using Microsoft.EntityFrameworkCore;
using Npgsql;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>
/// The safe high-water mark (docs/sync.md). Every writer registers before it reads the clock for its log
/// stamps and stays registered until its transaction ends; a reader reads the clock first, then the registry:
/// watermark = min(now, earliest start of a registered writer). A stamp below the watermark therefore belongs
/// to a transaction that has already committed (or rolled back), so it is visible to the reader's later query.
/// <para>
/// PostgreSQL (several server processes): a writer registers by taking a shared transaction-level advisory
/// lock whose key holds its start time, in its own transaction. The lock shows in <c>pg_locks</c> to every
/// session the moment it is granted, and PostgreSQL releases it when the transaction ends — after the commit
/// is visible, and also when the process dies — so nothing has to be deregistered and nothing can leak.
/// SQLite lives in one process: the registry is in memory.
/// </para>
/// </summary>
internal sealed class SyncWatermark(TimeProvider clock, SyncOptions options) : IAsyncDisposable
{
    /// <summary>High bits of the advisory lock keys Velvet uses for writers: "VSW" (Velvet sync writer).</summary>
    private const long LockNamespace = 0x565357;

    /// <summary>Lock keys hold the start in milliseconds since this instant: 40 bits last until 2054.</summary>
    private static readonly long KeyEpochTicks = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private readonly Lock _gate = new();
    private readonly Lock _flightGate = new();
    private Task<long>? _flight;
    private NpgsqlDataSource? _locks;
    private readonly Dictionary<long, (long Started, long Expires)> _inProcess = [];
    private long _nextId;
    private long _lastTicks;

    /// <summary>An in-process registration (SQLite); ended by its transaction, or by its connection closing.</summary>
    internal sealed record Registration(long Id)
    {
        private int _ended;

        /// <summary>True the first time only: ending twice (transaction event, then connection close) is a no-op.</summary>
        public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
    }

    /// <summary>
    /// UTC ticks that never go backwards in this process, for registrations, stamps and watermarks alike: a clock
    /// stepped back (NTP) between a registration and its stamps would otherwise break the proof in docs/sync.md.
    /// </summary>
    public long NowTicks()
    {
        var now = clock.GetUtcNow().UtcTicks;
        while (true)
        {
            var last = Volatile.Read(ref _lastTicks);
            if (now <= last)
            {
                return last;
            }

            if (Interlocked.CompareExchange(ref _lastTicks, now, last) == last)
            {
                return now;
            }
        }
    }

    /// <summary>PostgreSQL: the writer's lock key, which holds its start (read now) in milliseconds.</summary>
    public long WriterKey() => (LockNamespace << 40) | ((NowTicks() - KeyEpochTicks) / TimeSpan.TicksPerMillisecond);

    /// <summary>
    /// PostgreSQL: the statement that registers the writer of the transaction it runs in, given the placeholder of
    /// its <see cref="WriterKey"/>. Stamps must be read after it has run. The wake-up of other processes' long polls
    /// follows the commit (<see cref="SyncNotifications"/>).
    /// </summary>
    public static string RegistrationSql(string keyPlaceholder) =>
        $"SELECT pg_advisory_xact_lock_shared({keyPlaceholder}) AS {RegisteredColumn}";

    /// <summary>The name of the registration's one column, by which a reader of a batch it rode on finds its place.</summary>
    public const string RegisteredColumn = "velvet_registered";

    /// <summary>SQLite: the in-memory registration, ended by its transaction or its connection closing.</summary>
    public Registration RegisterInProcess()
    {
        lock (_gate)
        {
            var now = NowTicks();
            var id = ++_nextId;
            _inProcess[id] = (now, now + TimeSpan.FromSeconds(options.WriterLeaseSeconds).Ticks);
            return new Registration(id);
        }
    }

    /// <summary>Idempotent: a registration may be ended by its transaction and again by its connection closing.</summary>
    public void Deregister(Registration registration)
    {
        if (registration.TryEnd())
        {
            lock (_gate)
            {
                _inProcess.Remove(registration.Id);
            }
        }
    }

    /// <summary>Call before reading the log: entries stamped below the result are all committed.</summary>
    public async Task<DateTime> ComputeAsync(VelvetDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            return new DateTime(await SharedMarkAsync(db.Database.GetConnectionString()!).WaitAsync(ct), DateTimeKind.Utc);
        }

        lock (_gate)
        {
            var now = NowTicks();
            var earliest = _inProcess.Values.Where(w => w.Expires > now).Select(w => (long?)w.Started).Min();
            return new DateTime(Math.Min(now, earliest ?? now), DateTimeKind.Utc);
        }
    }

    /// <summary>
    /// Concurrent readers share one look at <c>pg_locks</c> (a commit wakes every long poll at once): a watermark
    /// computed by a look that began before a reader arrived is older, never unsafe — everything stamped below it was
    /// committed when it was computed, before the reader reads the log.
    /// </summary>
    private Task<long> SharedMarkAsync(string connectionString)
    {
        lock (_flightGate)
        {
            if (_flight is { IsCompleted: false } running)
            {
                return running;
            }

            _locks ??= NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 2 }.ConnectionString);
            return _flight = MarkAsync(_locks);
        }
    }

    private async Task<long> MarkAsync(NpgsqlDataSource locks)
    {
        // The clock is read before the locks: a writer whose lock is not seen took it after this instant, so its
        // stamps are at or above it. Locks of other databases on the same server are not ours.
        var now = NowTicks();
        await using var command = locks.CreateCommand(
            """
            SELECT min(((l.classid::bigint & 255) << 32) | l.objid::bigint)
            FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND (l.classid::bigint >> 8) = $1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockNamespace });
        var registered = await command.ExecuteScalarAsync() is long ms ? KeyEpochTicks + ms * TimeSpan.TicksPerMillisecond : now;
        return Math.Min(now, registered) - TimeSpan.FromMilliseconds(options.ClockSkewAllowanceMilliseconds).Ticks;
    }

    public ValueTask DisposeAsync() => _locks?.DisposeAsync() ?? ValueTask.CompletedTask;
}
