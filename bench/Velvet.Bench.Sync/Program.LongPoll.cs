using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Velvet.Bench.Sync;

/// <summary>
/// Long poll (docs/benchmarks.md): many signed-in devices each hold GET last_changes?wait=30 on one server, one contact
/// update commits through the API, and every waiting poll must answer with it. Measures change-to-reply latency over all
/// replies, the server's RSS and database connections while they wait, and the server CPU the wake-up costs.
/// </summary>
internal static partial class Program
{
    private const int Devices = 1_000;
    private const int LongPollRounds = 3;
    private const int Concurrency = 8;

    private static async Task LongPollAsync(string engine, int port, Process server, string? postgres, string sqlite, string adminToken, int contactId)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        // HTTP/1.1: one connection per waiting poll.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Devices + 10, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(90) };
        // The update travels on a connection of its own.
        using var writer = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(90) };
        var devices = Enumerable.Range(0, Devices).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Concurrency };

        var signIn = Stopwatch.StartNew();
        var tokens = new string[Devices];
        await Parallel.ForEachAsync(devices, parallel, async (i, ct) =>
        {
            tokens[i] = await ChildServer.SignInAsync(http, "bench-poll-" + i.ToString(CultureInfo.InvariantCulture));
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["auth_token"] = tokens[i], ["timestamp"] = "2014-03-04 05:29:17 +0000" });
            (await http.PostAsync("/api/v1/last_changes/acknowledgment.json", form, ct)).EnsureSuccessStatusCode();
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: long poll: {Devices} devices signed in and acknowledged in {signIn.Elapsed.TotalSeconds:F1} s ({Concurrency} at a time); server RSS {Rss(server)} MB"));

        var fromSend = new List<double>();
        var fromResponse = new List<double>();
        for (var round = 1; round <= LongPollRounds; round++)
        {
            // Entries of the boundary second repeat (docs/sync.md), and on PostgreSQL the timestamp trails the clock by the
            // skew allowance (250 ms): the previous change must be older than both before the start dates are taken.
            await Task.Delay(1_400);
            var now = Uri.EscapeDataString(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            var starts = new string[Devices];
            await Parallel.ForEachAsync(devices, parallel, async (i, ct) =>
            {
                using var reply = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/last_changes.json?auth_token={tokens[i]}&start_date={now}", ct));
                starts[i] = Uri.EscapeDataString(reply.RootElement.GetProperty("timestamp").GetString()!);
            });

            var idleRss = Rss(server);
            var done = new long[Devices];
            var polls = devices.Select(async i =>
            {
                var body = await http.GetByteArrayAsync($"/api/v1/last_changes.json?auth_token={tokens[i]}&start_date={starts[i]}&wait=30");
                done[i] = Stopwatch.GetTimestamp();
                return body;
            }).ToList();
            var parking = Stopwatch.StartNew();
            await QuietAsync(server);
            var parked = parking.Elapsed.TotalSeconds;
            var early = polls.Count(p => p.IsCompleted);
            var waitingRss = Rss(server);
            var connections = await DbConnectionsAsync(server, postgres, sqlite);

            var cpuBefore = CpuMilliseconds(server);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["auth_token"] = adminToken,
                ["contact[first_name]"] = "Olivia" + round.ToString(CultureInfo.InvariantCulture),
            });
            var sent = Stopwatch.GetTimestamp();
            var update = await writer.PutAsync($"/api/v1/contacts/{contactId}.json", form);
            var answered = Stopwatch.GetTimestamp();
            update.EnsureSuccessStatusCode();
            var bodies = await Task.WhenAll(polls);
            var cpu = CpuMilliseconds(server) - cpuBefore;
            foreach (var body in bodies)
            {
                using var reply = JsonDocument.Parse(body);
                if (reply.RootElement.GetProperty("status").GetInt32() != 0 || !reply.RootElement.GetProperty("activity_log").EnumerateArray()
                        .Any(e => e.GetProperty("class_name").GetString() == "Contact" && e.GetProperty("id").GetInt32() == contactId))
                {
                    throw new InvalidOperationException("a poll answered without the change: " + reply.RootElement);
                }
            }

            var roundFromSend = done.Select(d => Stopwatch.GetElapsedTime(sent, d).TotalMilliseconds).ToList();
            fromSend.AddRange(roundFromSend);
            fromResponse.AddRange(done.Select(d => Stopwatch.GetElapsedTime(answered, d).TotalMilliseconds));
            var s = Latencies.Of(roundFromSend);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{engine}: long poll round {round}: {Devices} waiting after {parked:F1} s ({early} answered early); server RSS {idleRss} MB before, {waitingRss} MB waiting; {connections}; update answered in {Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds:F0} ms; change to reply {s.Coarse()}; server CPU for the wake-up {cpu} ms"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine}: long poll, {fromSend.Count} replies over {LongPollRounds} rounds: change to reply (from sending the update) {Latencies.Of(fromSend).Coarse()}; from the update's response {Latencies.Of(fromResponse).Coarse()}"));
    }

    /// <summary>Waits until every poll is parked: the server's CPU goes quiet (under 4% of a core over half a second), at least 1 s, at most 25 s.</summary>
    private static async Task QuietAsync(Process server)
    {
        var started = Stopwatch.StartNew();
        await Task.Delay(1_000);
        var last = CpuMilliseconds(server);
        while (started.Elapsed < TimeSpan.FromSeconds(25))
        {
            await Task.Delay(500);
            var now = CpuMilliseconds(server);
            if (now - last <= 20)
            {
                return;
            }

            last = now;
        }
    }

    private static long Rss(Process server)
    {
        var line = File.ReadLines($"/proc/{server.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>utime + stime of the server process, from /proc (clock ticks of 10 ms).</summary>
    private static long CpuMilliseconds(Process server)
    {
        var stat = File.ReadAllText($"/proc/{server.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10;
    }

    /// <summary>PostgreSQL: the server's backends (the bench's own pool is cleared first); SQLite: the server's open handles on the database file.</summary>
    private static async Task<string> DbConnectionsAsync(Process server, string? postgres, string sqlite)
    {
        if (postgres is null)
        {
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(sqlite).DataSource;
            var handles = Directory.EnumerateFiles($"/proc/{server.Id}/fd").Count(fd =>
            {
                try
                {
                    return new FileInfo(fd).LinkTarget == file;
                }
                catch (IOException)
                {
                    return false;
                }
            });
            return $"{handles} open handles on the SQLite file";
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"{reader.GetInt64(0)} PostgreSQL connections ({reader.GetInt64(1)} active)";
    }
}
