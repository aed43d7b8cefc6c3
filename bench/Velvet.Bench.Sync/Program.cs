using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;
using Velvet.Api.Sync;

namespace Velvet.Bench.Sync;

/// <summary>
/// Last Changes benchmarks (docs/benchmarks.md): starts the built server as a child process on a fresh database of each
/// engine, fills the change log with bulk SQL (a fixture, not capture), then measures the empty poll at growing log sizes,
/// a 100,000-entry delta served in full against a plain data reader over the same rows, and the cost capture adds to a
/// contact update (VelvetDb with and without the ChangeCapture interceptor).
/// Usage: dotnet run -c Release --project bench/Velvet.Bench.Sync -- [sqlite|postgres|both] [sqliteMax=1000000] [delta|longpoll]
/// PostgreSQL needs VELVET_BENCH_POSTGRES (a connection string to the maintenance database).
/// </summary>
internal static partial class Program
{
    private const int Polls = 300;
    private const int Updates = 300;
    private const int Delta = 100_000;

    public static async Task<int> Main(string[] args)
    {
        var engines = args.Length > 0 ? args[0] : "both";
        var numbers = args.Skip(1).Where(a => a.All(char.IsAsciiDigit)).ToList();
        var sqliteMax = numbers.Count > 0 ? int.Parse(numbers[0], CultureInfo.InvariantCulture) : 1_000_000;
        // Parts: all by default; "delta" fills to the delta's log size and serves it only; "longpoll" runs only the waiting devices.
        var parts = args.Skip(1).Where(a => !a.All(char.IsAsciiDigit)).ToHashSet();
        var only = parts.Count == 0 ? null : parts;
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Velvet.Api.dll");
        Console.WriteLine($"polls={Polls} updates={Updates} delta={Delta} cores={Environment.ProcessorCount}");
        await Engines.RunAsync(engines, (engine, admin) => RunAsync(engine, admin, serverDll, admin is null ? sqliteMax : 1_000_000, only));
        return 0;
    }

    private static async Task RunAsync(string engine, string? postgresAdmin, string serverDll, int maxLog, HashSet<string>? only)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "velvet-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var database = "velvet_bench_" + Guid.NewGuid().ToString("N")[..12];
        var postgres = postgresAdmin is null ? null : new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = database }.ConnectionString;
        var sqlite = $"Data Source={Path.Combine(dataDir, "velvet.db")};Default Timeout=30";
        var port = 5600 + Random.Shared.Next(300);
        var start = new ProcessStartInfo("dotnet", [serverDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Velvet__DataDir"] = dataDir;
        start.Environment["Velvet__Database"] = postgres is null ? "Sqlite" : "Postgres";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Velvet__RateLimits__SignInPerMinute"] = "100000";
        // "Too many changes" above this: raised so the 100,000-entry delta is served in one reply.
        start.Environment["Velvet__Sync__MaxEntries"] = "2000000";
        if (postgres is not null)
        {
            start.Environment["ConnectionStrings__Postgres"] = postgres;
        }

        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
            await ChildServer.WaitForServerAsync(http);
            var token = await ChildServer.SignInAsync(http, "bench-sync");
            using (var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["auth_token"] = token, ["timestamp"] = "2014-03-04 05:29:17 +0000" }))
            {
                var ack = await (await http.PostAsync("/api/v1/last_changes/acknowledgment.json", form)).Content.ReadAsStringAsync();
                Console.WriteLine($"{engine}: acknowledgment {ack}");
            }

            var withCapture = Options(postgres, sqlite, capture: true);
            var withoutCapture = Options(postgres, sqlite, capture: false);
            var (companyId, contactId) = await CreateContactAsync(postgres, withCapture);
            string template;
            await using (var db = Create(postgres, withCapture))
            {
                template = await db.Set<ChangeLogEntry>().Where(e => e.ClassName == SyncClasses.Contact && e.RecordId == contactId)
                    .OrderByDescending(e => e.Id).Select(e => e.Data!).FirstAsync();
            }

            Console.WriteLine($"{engine}: entry data {template.Length} chars (the captured JSON of a demo-company contact), venue_id keys: {template.Split("\"venue_id\"").Length - 1}");
            if (only is null || only.Contains("longpoll"))
            {
                await LongPollAsync(engine, port, server, postgres, sqlite, token, contactId);
            }

            if (only is not null && !only.Contains("delta"))
            {
                return;
            }

            // Stamps one millisecond apart, from a whole second three days ago: every fixture entry is older than the poll's start_date.
            var baseTicks = DateTime.UtcNow.AddDays(-3).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
            var filled = 0;
            foreach (var size in new[] { 10_000, 100_000, 1_000_000 })
            {
                if (size > maxLog || (only is not null && size > Delta))
                {
                    Console.WriteLine(size > maxLog ? $"{engine}: log of {size}: skipped (max {maxLog})" : $"{engine}: log of {size}: skipped (only {string.Join(", ", only!)} asked for)");
                    continue;
                }

                var fill = Stopwatch.StartNew();
                await FillAsync(postgres, sqlite, companyId, template, baseTicks, filled + 1, size);
                filled = size;
                Console.WriteLine($"{engine}: log filled to {size} entries in {fill.Elapsed.TotalSeconds:F1} s");

                if (only is null)
                {
                    var poll = await EmptyPollAsync(http, token);
                    Console.WriteLine($"{engine}: empty poll, log {size}: {poll}");
                }

                if (size == Delta)
                {
                    await DeltaAsync(engine, http, token, postgres, sqlite, companyId, baseTicks);
                }
            }

            if (only is null)
            {
                await CaptureCostAsync(engine, postgres, withCapture, withoutCapture, contactId);
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            if (postgresAdmin is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(postgresAdmin);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
            else
            {
                SqliteConnection.ClearAllPools();
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static DbContextOptions Options(string? postgres, string sqlite, bool capture)
    {
        DbContextOptionsBuilder builder = postgres is null ? new DbContextOptionsBuilder<SqliteVelvetDb>() : new DbContextOptionsBuilder<PostgresVelvetDb>();
        if (postgres is null)
        {
            StorageSetup.UseSqlite(builder, sqlite);
        }
        else
        {
            StorageSetup.UsePostgres(builder, postgres);
        }

        if (capture)
        {
            // What AddVelvetStorage adds on top of UseSqlite/UsePostgres.
            new ChangeCapture(new SyncWatermark(TimeProvider.System, new SyncOptions()), new SyncSignal()).AddTo(builder, postgres is not null);
        }

        return builder.Options;
    }

    private static VelvetDb Create(string? postgres, DbContextOptions options)
    {
        var tenant = new Tenant();
        tenant.UseSystem();
        return postgres is null
            ? new SqliteVelvetDb((DbContextOptions<SqliteVelvetDb>)options, tenant)
            : new PostgresVelvetDb((DbContextOptions<PostgresVelvetDb>)options, tenant);
    }

    private static async Task<(int Company, int Contact)> CreateContactAsync(string? postgres, DbContextOptions options)
    {
        await using var db = Create(postgres, options);
        var companyId = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        var contact = new Contact
        {
            CompanyId = companyId,
            FirstName = "Olivia",
            LastName = "Bennett",
            Email = "olivia.bench@example.com",
            Phone = "(212)555-0100",
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        };
        contact.RefreshSearchKeys();
        db.Contacts.Add(contact);
        await db.SaveChangesAsync();
        return (companyId, contact.Id);
    }

    /// <summary>Entries from..to (1-based) of the fixture, in one statement.</summary>
    private static async Task FillAsync(string? postgres, string sqlite, int companyId, string data, long baseTicks, int from, int to)
    {
        const string columns = "\"CompanyId\", \"ClassName\", \"RecordId\", \"Action\", \"Data\", \"VenueId\", \"UserId\", \"Stamp\"";
        var values = $"{companyId}, 'Contact', 1000000 + g, 'update', @data, NULL, NULL, {baseTicks} + g * 10000";
        await using var connection = Connection(postgres, sqlite);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 600;
        command.CommandText = postgres is null
            ? $"INSERT INTO \"ChangeLog\" ({columns}) WITH RECURSIVE s(g) AS (SELECT {from} UNION ALL SELECT g + 1 FROM s WHERE g < {to}) SELECT {values} FROM s"
            : $"INSERT INTO \"ChangeLog\" ({columns}) SELECT {values} FROM generate_series({from}::bigint, {to}::bigint) g";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@data";
        parameter.Value = data;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync();
        // What autovacuum does after a bulk load (statistics; on PostgreSQL also the visibility map, without which
        // an index-only scan still visits every heap page). VACUUM runs outside any transaction, hence a statement of its own.
        await using var analyze = connection.CreateCommand();
        analyze.CommandTimeout = 600;
        analyze.CommandText = postgres is null ? "ANALYZE" : "VACUUM (ANALYZE) \"ChangeLog\"";
        await analyze.ExecuteNonQueryAsync();
    }

    private static DbConnection Connection(string? postgres, string sqlite) =>
        postgres is null ? new SqliteConnection(sqlite) : new NpgsqlConnection(postgres);

    private static async Task<Latencies> EmptyPollAsync(HttpClient http, string token)
    {
        var startDate = Uri.EscapeDataString(DateTime.UtcNow.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var path = $"/api/v1/last_changes.json?auth_token={token}&start_date={startDate}";
        using (var first = JsonDocument.Parse(await http.GetStringAsync(path)))
        {
            var root = first.RootElement;
            if (root.GetProperty("status").GetInt32() != 0 || root.GetProperty("activity_log").GetArrayLength() != 0)
            {
                throw new InvalidOperationException("empty poll is not empty: " + root);
            }
        }

        for (var i = 0; i < 30; i++)
        {
            await http.GetStringAsync(path);
        }

        var latencies = new List<double>(Polls);
        for (var i = 0; i < Polls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await http.GetStringAsync(path);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Latencies.Of(latencies);
    }

    private static async Task DeltaAsync(string engine, HttpClient http, string token, string? postgres, string sqlite, int companyId, long baseTicks)
    {
        var startDate = Uri.EscapeDataString(new DateTime(baseTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var path = $"/api/v1/last_changes.json?auth_token={token}&start_date={startDate}";
        var serve = new List<double>();
        var floor = new List<double>();
        long bytes = 0;
        var entries = 0;
        // A server that serves deltas is warm: three untimed replies first (JIT, tiered compilation, buffers).
        for (var warm = 0; warm < 3; warm++)
        {
            (await http.GetAsync(path)).Dispose();
        }

        for (var round = 0; round < 5; round++)
        {
            // Timed: until the reply's last byte has arrived, read into one reused buffer (the client on the same
            // cores should cost as little as it can); checked: the same reply parsed, untimed.
            var started = Stopwatch.GetTimestamp();
            using (var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
            await using (var stream = await response.Content.ReadAsStreamAsync())
            {
                var buffer = new byte[1 << 20];
                bytes = 0;
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    bytes += n;
                }
            }

            serve.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (round == 0)
            {
                using var json = JsonDocument.Parse(await http.GetByteArrayAsync(path));
                if (json.RootElement.GetProperty("status").GetInt32() != 0)
                {
                    throw new InvalidOperationException("delta failed: " + json.RootElement.GetProperty("message"));
                }

                entries = json.RootElement.GetProperty("activity_log").GetArrayLength();
            }

            started = Stopwatch.GetTimestamp();
            var read = await ReadStoredAsync(postgres, sqlite, companyId, baseTicks);
            floor.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (read < Delta)
            {
                throw new InvalidOperationException($"data reader read {read} rows");
            }
        }

        var s = serve.Min();
        var f = floor.Min();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: delta of {entries} entries served in full: {s:F2} s (best of 5 after 3 warm-up replies; runs {string.Join(", ", serve.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}), {bytes / 1_000_000.0:F1} MB, {entries / s:F0} entries/s; data reader over the same rows {f:F2} s (best of 5); ratio {s / f:F2}x"));
    }

    /// <summary>The floor: the same SELECT the endpoint sends (position order, the entry's columns), through a plain data reader.</summary>
    private static async Task<int> ReadStoredAsync(string? postgres, string sqlite, int companyId, long from)
    {
        await using var connection = Connection(postgres, sqlite);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"Id\", \"Action\", \"ClassName\", \"CompanyId\", \"Data\", \"RecordId\", \"Stamp\", \"UserId\", \"VenueId\" FROM \"ChangeLog\" WHERE \"CompanyId\" = {companyId} AND \"Stamp\" >= {from} ORDER BY \"Id\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        long sink = 0;
        while (await reader.ReadAsync())
        {
            sink += reader.GetInt64(0) + reader.GetString(1).Length + reader.GetString(2).Length + reader.GetInt32(3)
                + (reader.IsDBNull(4) ? 0 : reader.GetString(4).Length) + reader.GetInt32(5) + reader.GetInt64(6)
                + (reader.IsDBNull(7) ? 0 : reader.GetInt32(7)) + (reader.IsDBNull(8) ? 0 : reader.GetInt32(8));
            rows++;
        }

        GC.KeepAlive(sink);
        return rows;
    }

    private static async Task CaptureCostAsync(string engine, string? postgres, DbContextOptions withCapture, DbContextOptions withoutCapture, int contactId)
    {
        var counter = 0;
        async Task<List<double>> UpdateAsync(DbContextOptions options, int count)
        {
            var latencies = new List<double>(count);
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await using (var db = Create(postgres, options))
                {
                    var contact = await db.Contacts.FirstAsync(c => c.Id == contactId);
                    contact.FirstName = "Olivia" + (++counter).ToString(CultureInfo.InvariantCulture);
                    contact.UpdatedAt = DateTime.UtcNow;
                    contact.RefreshSearchKeys();
                    await db.SaveChangesAsync();
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return latencies;
        }

        await UpdateAsync(withCapture, 30);
        await UpdateAsync(withoutCapture, 30);
        var with = new List<double>();
        var without = new List<double>();
        for (var round = 0; round < 2; round++)
        {
            without.AddRange(await UpdateAsync(withoutCapture, Updates / 2));
            with.AddRange(await UpdateAsync(withCapture, Updates / 2));
        }

        var a = Latencies.Of(with);
        var b = Latencies.Of(without);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: contact update (load + change + SaveChanges, new context each), {with.Count} each: with capture {a}; without {b}; overhead mean {a.Mean / b.Mean - 1:P0}, p50 {a.P50 / b.P50 - 1:P0}"));
    }
}
