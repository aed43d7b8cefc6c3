using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Velvet.Api.Storage;
using Velvet.Bench;

namespace Velvet.Bench.Capture;

/// <summary>
/// What Last Changes capture adds to a contact update as a client sees it: <c>PUT /api/v1/contacts/:id.json</c>
/// through the whole HTTP pipeline (in process, no sockets), against the same server built twice — as shipped,
/// and with the capture interceptor left out of the database options (possible only here: the server itself
/// has no switch to turn capture off). Each variant gets a fresh database with the demo data.
/// </summary>
public static class CaptureCost
{
    private const int Warmup = 1000;
    private const int UpdatesPerRound = 100;

    /// <summary>Paired rounds: 60 by default; <c>rounds=N</c> as an argument narrows the confidence interval (about ±3 points at 60).</summary>
    private static int Rounds { get; set; } = 60;

    private static int Updates => UpdatesPerRound * Rounds;

    private static bool Tcp { get; set; }

    public static async Task<int> Main(string[] args)
    {
        var engines = args.Length > 0 ? args[0] : "both";
        // "tcp": requests go through Kestrel on a loopback socket, as a client's do; the default, in process, leaves the
        // socket and HTTP parsing out, so capture is the largest share of the request it can be.
        Tcp = args.Skip(1).Contains("tcp");
        if (args.Skip(1).FirstOrDefault(a => a.StartsWith("rounds=", StringComparison.Ordinal)) is { } rounds)
        {
            Rounds = int.Parse(rounds["rounds=".Length..], CultureInfo.InvariantCulture);
        }

        // The server's content root: nothing is read from it, but the test host insists on an existing folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_VELVET_API", AppContext.BaseDirectory);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"updates={Updates} per variant after {Warmup} untimed, in {Rounds} runs taking turns; {(Tcp ? "over loopback TCP (Kestrel)" : "in process")}; cores={Environment.ProcessorCount}"));
        await Engines.RunAsync(engines, MeasureAsync);
        return 0;
    }

    private static async Task MeasureAsync(string engine, string? postgres)
    {
        await using var with = await Variant.StartAsync(engine, postgres, capture: true);
        await using var without = await Variant.StartAsync(engine, postgres, capture: false);
        await with.UpdateAsync(Warmup);
        await without.UpdateAsync(Warmup);
        var warmed = await WarmUntilCompiledAsync(with, without);
        Console.WriteLine(warmed);
        var (withAllocated, withoutAllocated) = (with.AllocatedBytes, without.AllocatedBytes);
        var (withProcessor, withoutProcessor) = (with.ProcessorTime, without.ProcessorTime);
        var withTimes = new List<double>();
        var withoutTimes = new List<double>();
        var paired = new List<double>();
        // Short runs in turn: each variant runs warm (as a server does, one request after another), and a machine
        // that slows down for a while slows both alike. A round's two runs are a pair: the median of the pairs'
        // ratios is not moved by the odd round a pause or a vacuum lands in, which the pooled mean is. Which variant
        // goes first alternates, so neither always runs right after the other has filled the caches.
        for (var round = 0; round < Rounds; round++)
        {
            List<double> with1, without1;
            if (round % 2 == 0)
            {
                without1 = await without.UpdateAsync(UpdatesPerRound);
                with1 = await with.UpdateAsync(UpdatesPerRound);
            }
            else
            {
                with1 = await with.UpdateAsync(UpdatesPerRound);
                without1 = await without.UpdateAsync(UpdatesPerRound);
            }

            withoutTimes.AddRange(without1);
            withTimes.AddRange(with1);
            paired.Add(with1.Average() / without1.Average() - 1);
        }

        var a = Latencies.Of(withTimes);
        var b = Latencies.Of(withoutTimes);
        var logged = await with.LoggedAsync();
        double PerUpdate(long bytes) => bytes / 1024.0 / withTimes.Count;
        double CpuPerUpdate(TimeSpan time) => time.TotalMilliseconds / withTimes.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: per update, the whole process while the variant runs: allocated with capture {PerUpdate(with.AllocatedBytes - withAllocated):F1} KB, without {PerUpdate(without.AllocatedBytes - withoutAllocated):F1} KB; CPU with capture {CpuPerUpdate(with.ProcessorTime - withProcessor):F3} ms, without {CpuPerUpdate(without.ProcessorTime - withoutProcessor):F3} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: PUT /api/v1/contacts/:id.json, {withTimes.Count} each: with capture {a}; without {b}; overhead mean {a.Mean / b.Mean - 1:P0}, p50 {a.P50 / b.P50 - 1:P0}; median of {Rounds} paired rounds {MedianWithConfidence(paired)} (rounds {paired.Min():P0} to {paired.Max():P0}) ({logged} log entries written by the captured server)"));
        var notLogged = await without.LoggedAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: without capture the log got {notLogged} entries (0 expected: the variant really skips capture)"));
    }

    /// <summary>
    /// The median and its 95 % confidence interval, free of any assumption about the distribution: the true median lies
    /// between these two order statistics with 95 % probability (normal approximation of the binomial: ranks
    /// ⌊n/2 − 0.98·√n⌋ and ⌈1 + n/2 + 0.98·√n⌉, counted from 1).
    /// </summary>
    private static string MedianWithConfidence(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        var half = 0.98 * Math.Sqrt(sorted.Count);
        var low = sorted[Math.Max(0, (int)Math.Floor(sorted.Count / 2.0 - half) - 1)];
        var high = sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(1 + sorted.Count / 2.0 + half) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"{Latencies.Percentile(sorted, 0.5):P0} (95 % CI {low:P0} to {high:P0})");
    }

    /// <summary>
    /// A server that has run for a while runs optimized code: the runtime compiles a method again, optimized, after it
    /// has been called often enough, on a background thread that also competes for the cores. Both variants take turns
    /// until a turn makes the runtime compile (almost) nothing more, so the timed rounds see the code a server runs.
    /// </summary>
    private static async Task<string> WarmUntilCompiledAsync(Variant with, Variant without)
    {
        const int Batch = 200;
        const int MaxBatches = 60;
        var started = System.Runtime.JitInfo.GetCompiledMethodCount();
        var stopwatch = Stopwatch.StartNew();
        for (var batch = 1; batch <= MaxBatches; batch++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await without.UpdateAsync(Batch);
            await with.UpdateAsync(Batch);
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            if (compiled <= 2)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"warm after {batch} more turns of {Batch} updates each ({stopwatch.Elapsed.TotalSeconds:F0} s): {System.Runtime.JitInfo.GetCompiledMethodCount() - started} methods compiled meanwhile, {compiled} in the last turn");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"still compiling after {MaxBatches} turns of {Batch} updates each");
    }

    private sealed class Variant : IAsyncDisposable
    {
        private readonly WebApplicationFactory<global::Program> _factory;
        private readonly HttpClient _http;
        private readonly string _token;
        private readonly int _contactId;
        private readonly string? _database;
        private readonly string? _postgres;
        private readonly string _dataDir;
        private int _counter;

        private Variant(WebApplicationFactory<global::Program> factory, HttpClient http, string token, int contactId, string? database, string? postgres, string dataDir)
        {
            _factory = factory;
            _http = http;
            _token = token;
            _contactId = contactId;
            _database = database;
            _postgres = postgres;
            _dataDir = dataDir;
        }

        public static async Task<Variant> StartAsync(string engine, string? postgres, bool capture)
        {
            var dataDir = Path.Combine(Path.GetTempPath(), "velvet-bench-capture", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dataDir);
            string? database = null;
            string? connectionString = null;
            if (postgres is not null)
            {
                database = "velvet_bench_capture_" + Guid.NewGuid().ToString("N")[..12];
                connectionString = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
            }

            var factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(builder =>
            {
                builder.UseSetting("Velvet:DataDir", dataDir);
                builder.UseSetting("Velvet:SeedDemo", "true");
                builder.UseSetting("Velvet:Exports:RunWorker", "false");
                builder.UseSetting("Velvet:RateLimits:SignInPerMinute", "100000");
                builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
                builder.UseSetting("Velvet:Database", engine == "postgres" ? "Postgres" : "Sqlite");
                if (Tcp)
                {
                    builder.UseSetting("urls", "http://127.0.0.1:0");
                }

                if (connectionString is not null)
                {
                    builder.UseSetting("ConnectionStrings:Postgres", connectionString);
                }

                if (!capture)
                {
                    builder.ConfigureServices(services =>
                    {
                        // The shipped options plus nothing: UseSqlite/UsePostgres are what AddVelvetStorage calls before adding capture.
                        services.RemoveAll<IDbContextOptionsConfiguration<SqliteVelvetDb>>();
                        services.RemoveAll<IDbContextOptionsConfiguration<PostgresVelvetDb>>();
                        services.RemoveAll<DbContextOptions<SqliteVelvetDb>>();
                        services.RemoveAll<DbContextOptions<PostgresVelvetDb>>();
                        services.RemoveAll<VelvetDb>();
                        if (connectionString is not null)
                        {
                            services.AddDbContext<VelvetDb, PostgresVelvetDb>(o => StorageSetup.UsePostgres(o, connectionString));
                        }
                        else
                        {
                            services.AddDbContext<VelvetDb, SqliteVelvetDb>(o => StorageSetup.UseSqlite(o, $"Data Source={Path.Combine(dataDir, "velvet.db")};Default Timeout=30"));
                        }
                    });
                }
            });
            if (Tcp)
            {
                factory.UseKestrel();
                factory.StartServer();
            }

            var http = factory.CreateClient();
            var token = await ChildServer.SignInAsync(http, "bench-capture-" + Guid.NewGuid().ToString("N")[..8]);
            using var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/contacts.json?auth_token=" + token));
            var contactId = list.RootElement.EnumerateArray().First().GetProperty("id").GetInt32();
            return new Variant(factory, http, token, contactId, database, postgres, dataDir);
        }

        /// <summary>Bytes the process allocated while this variant's updates ran.</summary>
        public long AllocatedBytes { get; private set; }

        /// <summary>CPU time of the whole process (the server's threads and the client's) while this variant's updates ran.</summary>
        public TimeSpan ProcessorTime { get; private set; }

        public async Task<List<double>> UpdateAsync(int count)
        {
            var latencies = new List<double>(count);
            var allocated = GC.GetTotalAllocatedBytes();
            var processor = Environment.CpuUsage.TotalTime;
            for (var i = 0; i < count; i++)
            {
                using var form = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["auth_token"] = _token,
                    ["contact[last_name]"] = "Bench" + (++_counter).ToString(CultureInfo.InvariantCulture),
                });
                var started = Stopwatch.GetTimestamp();
                using var reply = await _http.PutAsync($"/api/v1/contacts/{_contactId}.json", form);
                await reply.Content.ReadAsByteArrayAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!reply.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"PUT answered {(int)reply.StatusCode}");
                }
            }

            AllocatedBytes += GC.GetTotalAllocatedBytes() - allocated;
            ProcessorTime += Environment.CpuUsage.TotalTime - processor;
            return latencies;
        }

        public async Task<int> LoggedAsync()
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
            db.Tenant.UseSystem();
            return await db.ChangeLog.CountAsync(e => e.ClassName == "Contact" && e.RecordId == _contactId && e.Action == "update");
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _factory.DisposeAsync();
            if (_database is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(_postgres);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }

            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp folder's cleaning.
            }
        }
    }
}
