using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Velvet.Api.Exports;
using Velvet.Api.Storage;

// Export benchmark (issue 6, item 8): N changed contacts, 10 fields, local delivery, through the real
// worker step (claim, streamed data-reader query with the count beside it, CSV writer, file), against the engine's own fastest path:
// PostgreSQL's COPY (SELECT …) TO STDOUT WITH CSV, or on SQLite a plain data-reader loop writing the same CSV.
//   dotnet run -c Release --project bench/Velvet.Bench.Exports -- sqlite 1000000
//   VELVET_BENCH_POSTGRES="Host=…;Username=…;Password=…;Database=postgres" dotnet run -c Release --project bench/Velvet.Bench.Exports -- postgres 1000000
var engine = args.Length > 0 ? args[0] : "sqlite";
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var work = Path.Combine(Path.GetTempPath(), "velvet-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var admin = Environment.GetEnvironmentVariable("VELVET_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("VELVET_TEST_POSTGRES");
var database = "velvet_bench_" + Guid.NewGuid().ToString("N")[..8];
var postgres = engine == "postgres";
if (postgres && admin is null)
{
    Console.Error.WriteLine("Set VELVET_BENCH_POSTGRES (or VELVET_TEST_POSTGRES) to an admin connection string.");
    return 2;
}

var connectionString = postgres
    ? new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString
    : $"Data Source={Path.Combine(work, "velvet.db")};Default Timeout=60";
if (postgres)
{
    await Admin(admin!, $"CREATE DATABASE \"{database}\"");
}

var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Velvet:DataDir"] = work,
    ["Velvet:Database"] = postgres ? "Postgres" : "Sqlite",
    ["ConnectionStrings:Postgres"] = postgres ? connectionString : null,
    ["ConnectionStrings:Sqlite"] = postgres ? null : connectionString,
    ["Velvet:Exports:RunWorker"] = "false",
}).Build();
var services = new ServiceCollection();
services.AddLogging();
services.AddSingleton<IConfiguration>(configuration);
services.AddVelvet(configuration);
await using var provider = services.BuildServiceProvider();
try
{
    await StorageSetup.MigrateAsync(provider);
    int[] fields = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17];
    string[] columns = ["FirstName", "LastName", "Email", "Title", "State", "Gender", "Status", "Phone", "Country", "City"];
    var changedAt = new DateTime(2024, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    var seed = Stopwatch.StartNew();
    int companyId;
    await using (var scope = provider.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        var company = new Company { Name = "Bench", TimeZoneId = "UTC", CreatedAt = DateTime.UtcNow };
        db.Companies.Add(company);
        await db.SaveChangesAsync();
        companyId = company.Id;
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        // Every tenth row needs quoting (a comma) or neutralising (a leading '='), so escaping costs are measured.
        var series = postgres ? $"generate_series(1, {count}) AS g(x)" : "g";
        var with = postgres ? "" : $"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {count}) ";
        var now = postgres ? "now()" : "'2024-01-01 00:00:00'";
        await db.Database.ExecuteSqlRawAsync(with + $"""
            INSERT INTO "Contacts" ("CompanyId", "FirstName", "LastName", "Email", "Title", "State", "Gender", "Status", "Phone", "Country", "City",
                "Nurtured", "CampaignsCount", "CreatedAt", "UpdatedAt", "NameKey")
            SELECT {companyId}, 'First' || x, CASE WHEN x % 10 = 0 THEN 'O''Brien, Jr' ELSE 'Last' || x END, 'guest' || x || '@example.com',
                CASE WHEN x % 10 = 5 THEN '=SUM(A1)' ELSE 'Dr' END, 'customer', 'female', 'gold', '+4930' || x, 'Germany', 'Berlin',
                false, 0, {now}, {now}, 'first' || x
            FROM {series}
            """);
        await db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO "ContactChanges" ("CompanyId", "ContactId", "Action", "Origin", "OriginId", "ChangedAt")
            SELECT "CompanyId", "Id", 'update', 'api', 1, {(postgres ? "'2024-06-15 12:00:00+00'" : "'2024-06-15 12:00:00'")} FROM "Contacts" WHERE "CompanyId" = {companyId}
            """);
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE");
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }
    }

    Console.WriteLine($"engine {engine}, {count:N0} contacts seeded in {seed.Elapsed.TotalSeconds:0.0} s");

    var settings = new ExportSettings("local", "api", [1], new DateOnly(2024, 6, 15), new DateOnly(2024, 6, 15), fields, ',', true, "en", null);
    var worker = provider.GetRequiredService<ExportWorker>();
    var empty = Stopwatch.StartNew();
    // Warm-up of the worker step itself: a job for a day without changes runs recovery, the claim, the
    // queries and the finish once, so their EF query compilation is not counted in the timed export.
    await AddJobAsync(companyId, settings with { StartDate = new DateOnly(2024, 6, 14), EndDate = new DateOnly(2024, 6, 14) });
    await worker.RunOnceAsync(default);
    Console.WriteLine($"breakdown: first worker step (a job with no rows, cold) {empty.Elapsed.TotalSeconds:0.00} s");
    var jobId = await AddJobAsync(companyId, settings);

    // Warm-up, reported as a breakdown of where the time goes: the count alone, then the query with the CSV
    // formatting but no file, twice. This JIT-compiles the export path and leaves the rows in PostgreSQL's
    // and the OS's caches, so the timed export and the reference below both run as in a warm server.
    await using (var scope = provider.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        var part = Stopwatch.StartNew();
        var total = await ChangedContacts.CountAsync(db, companyId, settings, TimeZoneInfo.Utc, default);
        Console.WriteLine($"breakdown: count of {total:N0} matching contacts {part.Elapsed.TotalSeconds:0.00} s");
        for (var i = 0; i < 2; i++)
        {
            part.Restart();
            var rows = await ChangedContacts.WriteAsync(db, companyId, settings, TimeZoneInfo.Utc, CsvRowWriter.For(Stream.Null, ','),
                _ => Task.CompletedTask, 10_000, default);
            Console.WriteLine($"breakdown: query and CSV formatting of {rows:N0} rows without a file {part.Elapsed.TotalSeconds:0.00} s");
        }
    }

    ResetPeak();
    var baseline = ResidentMb("VmRSS");
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var collections = GC.CollectionCount(0);
    var run = Stopwatch.StartNew();
    await worker.RunOnceAsync(default);
    run.Stop();
    allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    collections = GC.CollectionCount(0) - collections;
    var peak = ResidentMb("VmHWM");
    var velvet = provider.GetRequiredService<VelvetOptions>();
    var file = Path.Combine(velvet.DataPath("exports", companyId.ToString(CultureInfo.InvariantCulture)), $"{jobId}.csv");
    var size = new FileInfo(file).Length;
    await using (var scope = provider.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        var job = await db.ExportJobs.SingleAsync(j => j.Id == jobId);
        Console.WriteLine($"export: status {job.Status}, {job.RowCount:N0} rows, {size / 1048576.0:0.0} MB, {run.Elapsed.TotalSeconds:0.00} s, "
            + $"{job.RowCount / run.Elapsed.TotalSeconds:N0} rows/s, peak RSS {peak:0} MB (RSS before {baseline:0} MB), "
            + $"{allocated / 1048576.0:0} MB allocated, {collections} gen0 collections");
    }

    var select = "SELECT c.\"Id\", " + string.Join(", ", columns.Select(c => $"c.\"{c}\"")) +
        $" FROM \"Contacts\" c WHERE c.\"CompanyId\" = {companyId} AND EXISTS (SELECT 1 FROM \"ContactChanges\" ch WHERE ch.\"ContactId\" = c.\"Id\" " +
        $"AND ch.\"CompanyId\" = {companyId} AND ch.\"Origin\" = 'api' AND ch.\"OriginId\" = 1 AND ch.\"ChangedAt\" >= {(postgres ? "'2024-06-15 00:00:00+00'" : "'2024-06-15 00:00:00'")} AND ch.\"ChangedAt\" < {(postgres ? "'2024-06-16 00:00:00+00'" : "'2024-06-16 00:00:00'")}) ORDER BY c.\"Id\"";
    var reference = Stopwatch.StartNew();
    long referenceSize;
    string label;
    if (postgres)
    {
        label = "COPY (SELECT …) TO STDOUT WITH CSV";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var path = Path.Combine(work, "copy.csv");
        using (var reader = await connection.BeginTextExportAsync($"COPY ({select}) TO STDOUT WITH CSV HEADER"))
        await using (var output = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer, 0, buffer.Length)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        referenceSize = new FileInfo(path).Length;
    }
    else
    {
        label = "plain SqliteDataReader loop";
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = select;
        var path = Path.Combine(work, "reader.csv");
        await using (var reader = await command.ExecuteReaderAsync())
        await using (var output = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            await output.WriteAsync("user_id," + string.Join(",", columns) + "\r\n");
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (i > 0)
                    {
                        output.Write(',');
                    }

                    output.Write(Cell(reader, i));
                }

                output.Write("\r\n");
            }
        }

        referenceSize = new FileInfo(path).Length;
    }

    reference.Stop();
    Console.WriteLine($"reference ({label}): {reference.Elapsed.TotalSeconds:0.00} s, {referenceSize / 1048576.0:0.0} MB");
    Console.WriteLine($"ratio export / reference: {run.Elapsed.TotalSeconds / reference.Elapsed.TotalSeconds:0.00}x");

    return 0;
}
finally
{
    await provider.DisposeAsync();
    if (postgres)
    {
        NpgsqlConnection.ClearAllPools();
        await Admin(admin!, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
    }

    SqliteConnection.ClearAllPools();
    Directory.Delete(work, recursive: true);
}

async Task<int> AddJobAsync(int companyId, ExportSettings job)
{
    await using var scope = provider.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
    db.Tenant.UseSystem();
    var json = job.ToJson();
    var row = new ExportJob { CompanyId = companyId, Parameters = json, ActiveKey = ExportSettings.Key(json), Type = "local", CreatedAt = DateTime.UtcNow };
    db.ExportJobs.Add(row);
    await db.SaveChangesAsync();
    return row.Id;
}

static string Cell(DbDataReader reader, int i)
{
    if (reader.IsDBNull(i))
    {
        return "";
    }

    var value = Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
    if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
    {
        value = "'" + value;
    }

    return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

static async Task Admin(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

// Linux: writing 5 to clear_refs resets the peak resident set (VmHWM), so the export's own peak is measured, not the seeding's.
static void ResetPeak()
{
    // Aggressive: compact every generation and give the freed memory back, so the peak below is the export's.
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    try
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
    }
    catch (IOException)
    {
    }
    catch (UnauthorizedAccessException)
    {
    }
}

static double ResidentMb(string field)
{
    var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
    return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}
