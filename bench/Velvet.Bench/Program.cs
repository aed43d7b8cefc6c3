using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;

namespace Velvet.Bench;

/// <summary>
/// Contacts benchmarks (docs/benchmarks.md): starts the built server as a child process on a fresh database
/// of each engine, fills the demo company with N contacts, then measures GET /contacts/:id against /health
/// with 64 connections, search[name] latency, and the full list's time and the server's peak memory.
/// Usage: dotnet run -c Release --project bench/Velvet.Bench -- [contacts=100000] [seconds=10] [sqlite|postgres|both]
/// PostgreSQL needs VELVET_BENCH_POSTGRES (a connection string to the maintenance database).
/// </summary>
internal static class Program
{
    private const int Connections = 64;

    public static async Task<int> Main(string[] args)
    {
        var contacts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var engines = args.Length > 2 ? args[2] : "both";
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Velvet.Api.dll");
        Console.WriteLine($"contacts={contacts} seconds={seconds} connections={Connections} cores={Environment.ProcessorCount}");
        await Engines.RunAsync(engines, (engine, admin) => RunAsync(engine, admin, serverDll, contacts, seconds));
        return 0;
    }

    private static async Task RunAsync(string engine, string? postgresAdmin, string serverDll, int count, int seconds)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "velvet-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var database = "velvet_bench_" + Guid.NewGuid().ToString("N")[..12];
        var postgres = postgresAdmin is null ? null : new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = database }.ConnectionString;
        var port = 5600 + Random.Shared.Next(300);
        var start = new ProcessStartInfo("dotnet", [serverDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Velvet__DataDir"] = dataDir;
        start.Environment["Velvet__Database"] = postgres is null ? "Sqlite" : "Postgres";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Velvet__RateLimits__SignInPerMinute"] = "100000";
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
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(10),
            };
            await ChildServer.WaitForServerAsync(http);
            var token = await ChildServer.SignInAsync(http, "bench");
            var seedWatch = Stopwatch.StartNew();
            var ids = await SeedAsync(postgres, dataDir, count);
            Console.WriteLine($"{engine}: seeded {count} contacts in {seedWatch.Elapsed.TotalSeconds:F1} s");
            await ExplainAsync(engine, postgres, dataDir);

            var idle = ResidentMemory(server.Id);
            var health = await LoadAsync(http, seconds, _ => "/health");
            var get = await LoadAsync(http, seconds, i => $"/api/v1/contacts/{ids[i % ids.Count]}.json?auth_token={token}");
            Console.WriteLine($"{engine}: /health {health}");
            Console.WriteLine($"{engine}: GET /contacts/:id {get}; ratio to /health {get.PerSecond / health.PerSecond:P0}");

            var names = new[] { "olivia", "bennett", "liam c", "nguyen", "emma rossi", "kim", "patel", "scott" };
            var search = await LoadAsync(http, seconds, i => $"/api/v1/contacts.json?auth_token={token}&search[name]={Uri.EscapeDataString(names[i % names.Length])}&page=1&per_page=25", connections: 1);
            Console.WriteLine($"{engine}: search[name] (one connection, page of 25) {search}");

            var listWatch = Stopwatch.StartNew();
            using var response = await http.GetAsync($"/api/v1/contacts.json?auth_token={token}", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            var bytes = 0L;
            var buffer = new byte[81920];
            int read;
            var peakDuringList = idle;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
                peakDuringList = Math.Max(peakDuringList, ResidentMemory(server.Id));
            }

            Console.WriteLine($"{engine}: full list {bytes / 1_000_000.0:F1} MB in {listWatch.Elapsed.TotalSeconds:F1} s; server RSS before {idle / 1_000_000.0:F0} MB, peak during list {peakDuringList / 1_000_000.0:F0} MB (+{(peakDuringList - idle) / 1_000_000.0:F0} MB)");
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

            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Adds contacts to the demo company straight through EF (with their change rows), in batches.</summary>
    private static async Task<List<int>> SeedAsync(string? postgres, string dataDir, int count)
    {
        var sqliteOptions = new DbContextOptionsBuilder<SqliteVelvetDb>();
        StorageSetup.UseSqlite(sqliteOptions, $"Data Source={Path.Combine(dataDir, "velvet.db")};Default Timeout=30");
        var postgresOptions = new DbContextOptionsBuilder<PostgresVelvetDb>();
        StorageSetup.UsePostgres(postgresOptions, postgres ?? "Host=unused");
        VelvetDb Create()
        {
            var tenant = new Tenant();
            tenant.UseSystem();
            return postgres is null ? new SqliteVelvetDb(sqliteOptions.Options, tenant) : new PostgresVelvetDb(postgresOptions.Options, tenant);
        }

        var firstNames = new[] { "Olivia", "Liam", "Sophia", "Noah", "Emma", "James", "Ava", "Lucas", "Mia", "Ethan" };
        var lastNames = new[] { "Bennett", "Carter", "Nguyen", "Ramirez", "Rossi", "Kim", "Patel", "Scott", "Fischer", "Martins" };
        var ids = new List<int>(count);
        int companyId;
        await using (var db = Create())
        {
            companyId = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        }

        const int batch = 5000;
        for (var done = 0; done < count; done += batch)
        {
            await using var db = Create();
            var added = new List<Contact>();
            for (var i = done; i < Math.Min(count, done + batch); i++)
            {
                var contact = new Contact
                {
                    CompanyId = companyId,
                    FirstName = firstNames[i % firstNames.Length],
                    LastName = lastNames[i / firstNames.Length % lastNames.Length] + i.ToString(CultureInfo.InvariantCulture),
                    Email = $"bench{i}@example.com",
                    Phone = $"(212){500 + (i / 10000):D3}-{i % 10000:D4}",
                    CreatedAt = DateTime.UtcNow,
                    UpdatedAt = DateTime.UtcNow,
                };
                contact.RefreshSearchKeys();
                added.Add(contact);
            }

            db.Contacts.AddRange(added);
            await db.SaveChangesAsync();
            ids.AddRange(added.Select(c => c.Id));
        }

        // Statistics as the server has them within the hour after a bulk load: autovacuum's on PostgreSQL (without
        // them the planner guesses a handful of rows per company and skips the trigram indexes), the server's own
        // hourly refresh on SQLite (without them SQLite scans every contact behind the tenant filter).
        await using (var db = Create())
        {
            if (postgres is null)
            {
                await SqliteStatistics.RefreshAsync(db, CancellationToken.None);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("ANALYZE \"Contacts\"");
            }
        }

        return ids;
    }

    /// <summary>
    /// Prints the plans of the search queries and of the duplicate check's WHERE clause, with the tenant filter as EF
    /// Core sends it for a company's request: its "system" switch a parameter (SQLite plans before it knows the value),
    /// the other values literal.
    /// </summary>
    private static async Task ExplainAsync(string engine, string? postgres, string dataDir)
    {
        string[] queries =
        [
            """SELECT "Id" FROM "Contacts" WHERE (@system OR "CompanyId" = 1) AND "NameKey" LIKE '%bennett4%' ESCAPE '\' ORDER BY "Id" LIMIT 25""",
            """SELECT "Id" FROM "Contacts" WHERE (@system OR "CompanyId" = 1) AND "EmailKey" LIKE '%bench4242%' ESCAPE '\' ORDER BY "Id" LIMIT 25""",
            """SELECT "Id" FROM "Contacts" WHERE (@system OR "CompanyId" = 1) AND "PhoneKey" = '2125004242'""",
            """SELECT "Id" FROM "Contacts" WHERE (@system OR "CompanyId" = 1) AND ("EmailKey" = 'bench4242@example.com' OR "PhoneKey" = '2125004243') ORDER BY "Id" LIMIT 1""",
        ];
        System.Data.Common.DbConnection connection = postgres is null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "velvet.db")}")
            : new NpgsqlConnection(postgres);
        await using (connection)
        {
            await connection.OpenAsync();
            foreach (var query in queries)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = (postgres is null ? "EXPLAIN QUERY PLAN " : "EXPLAIN ANALYZE ") + query;
                var system = command.CreateParameter();
                system.ParameterName = "@system";
                system.Value = false;
                command.Parameters.Add(system);
                Console.WriteLine($"{engine}: {query}");
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    Console.WriteLine($"    {reader.GetValue(reader.FieldCount - 1)}");
                }
            }
        }
    }

    private sealed record Load(double PerSecond, double P50Ms, double P99Ms, int Errors)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{PerSecond:F0} req/s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, errors {Errors}");
    }

    private static async Task<Load> LoadAsync(HttpClient http, int seconds, Func<int, string> path, int connections = Connections)
    {
        var latencies = new List<double>[connections];
        var errors = 0;
        var counter = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (Stopwatch.GetTimestamp() < until)
            {
                var i = Interlocked.Increment(ref counter);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path(i));
                await response.Content.LoadIntoBufferAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new Load(all.Count / watch.Elapsed.TotalSeconds, Latencies.Percentile(all, 0.50), Latencies.Percentile(all, 0.99), errors);
    }

    /// <summary>Resident memory of the server process from /proc (Linux), in bytes.</summary>
    private static long ResidentMemory(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
