using Microsoft.EntityFrameworkCore;
using Npgsql;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>
/// The safe high-water mark (docs/sync.md). Every writer registers before it reads the clock for its log
/// stamps and deregisters after its transaction ends; a reader reads the clock first, then the registry:
/// watermark = min(now, earliest start of a registered writer). A stamp below the watermark therefore belongs
/// to a transaction that has already committed (or rolled back), so it is visible to the reader's later query.
/// SQLite lives in one process: the registry is in memory. PostgreSQL may run several server processes: the
/// registry is a table written on a connection of its own (autocommit), so registrations are visible at once.
/// </summary>
internal sealed class SyncWatermark(TimeProvider clock, SyncOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (long Started, long Expires)> _inProcess = [];
    private long _nextId;

    /// <summary>A registered writer; ConnectionString is set on PostgreSQL (the registry table), null in process.</summary>
    internal sealed record Registration(long Id, string? ConnectionString)
    {
        private int _ended;

        /// <summary>True the first time only: ending twice (transaction event, then connection close) is a no-op.</summary>
        public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
    }

    /// <summary>Registers a writer; the returned handle deregisters it. Stamps must be read after this returns.</summary>
    public async Task<Registration> RegisterAsync(VelvetDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            // Kept from the context, not the opened connection: Npgsql drops the password from an open connection's string.
            var connectionString = db.Database.GetConnectionString()!;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            var now = clock.GetUtcNow().UtcTicks;
            command.CommandText = "INSERT INTO \"SyncWriters\" (\"StartedTicks\", \"ExpiresTicks\") VALUES (@s, @e) RETURNING \"Id\"";
            command.Parameters.AddWithValue("s", now);
            command.Parameters.AddWithValue("e", now + TimeSpan.FromSeconds(options.WriterLeaseSeconds).Ticks);
            return new Registration((long)(await command.ExecuteScalarAsync(ct))!, connectionString);
        }

        lock (_gate)
        {
            var now = clock.GetUtcNow().UtcTicks;
            var id = ++_nextId;
            _inProcess[id] = (now, now + TimeSpan.FromSeconds(options.WriterLeaseSeconds).Ticks);
            return new Registration(id, null);
        }
    }

    /// <summary>Idempotent: a registration may be ended by its transaction and again by its connection closing.</summary>
    public async Task DeregisterAsync(Registration registration)
    {
        if (!registration.TryEnd())
        {
            return;
        }

        var id = registration.Id;
        if (registration.ConnectionString is { } connectionString)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM \"SyncWriters\" WHERE \"Id\" = @id";
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync();
            return;
        }

        lock (_gate)
        {
            _inProcess.Remove(id);
        }
    }

    /// <summary>Call before reading the log: entries stamped below the result are all committed.</summary>
    public async Task<DateTime> ComputeAsync(VelvetDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            // The clock is read before the registry: a writer missing from the registry registered after this
            // instant, so its stamps are at or above it.
            var now = clock.GetUtcNow().UtcTicks;
            var earliest = await db.Set<SyncWriter>().Where(w => w.ExpiresTicks > now)
                .MinAsync(w => (long?)w.StartedTicks, ct);
            return new DateTime(Math.Min(now, earliest ?? now), DateTimeKind.Utc);
        }

        lock (_gate)
        {
            var now = clock.GetUtcNow().UtcTicks;
            var earliest = _inProcess.Values.Where(w => w.Expires > now).Select(w => (long?)w.Started).Min();
            return new DateTime(Math.Min(now, earliest ?? now), DateTimeKind.Utc);
        }
    }
}
