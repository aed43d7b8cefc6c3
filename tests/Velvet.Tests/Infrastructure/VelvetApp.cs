using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Velvet.Api.Storage;

namespace Velvet.Tests.Infrastructure;

/// <summary>
/// The real server (the whole HTTP pipeline) on a database of its own, created for this fixture and
/// migrated the way production is. One per test class and engine; tests create the data they read.
/// </summary>
public abstract class VelvetApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "velvet-tests", Guid.NewGuid().ToString("N"));

    public TestClock Clock { get; } = new();

    public RecordedLogs Logs { get; } = new();

    public string DataDir => _dataDir;

    internal abstract string Engine { get; }

    protected abstract IDictionary<string, string?> DatabaseSettings();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_dataDir);
        builder.UseSetting("Velvet:DataDir", _dataDir);
        builder.UseSetting("Velvet:SeedDemo", "false");
        builder.UseSetting("Velvet:RateLimits:SignInPerMinute", "100000");
        // Export tests run the worker's single step themselves (ExportWorker.RunOnceAsync).
        builder.UseSetting("Velvet:Exports:RunWorker", "false");
        // An ANALYZE at an unknown moment may change a query's plan in the middle of a test; SqliteStatisticsTests run it.
        builder.UseSetting("Velvet:RefreshSqliteStatistics", "false");
        builder.UseSetting("Velvet:Exports:DeliveryBaseDelay", "00:00:00.050");
        builder.UseSetting("Velvet:Exports:DeliveryMaxDelay", "00:00:00.200");
        foreach (var (key, value) in DatabaseSettings())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
        ConfigureMore(builder);
    }

    protected virtual void ConfigureMore(IWebHostBuilder builder)
    {
    }

    public virtual Task InitializeAsync()
    {
        _ = Server; // start the host: runs migrations
        return Task.CompletedTask;
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS; the temp folder is cleaned later.
        }
    }

    /// <summary>What an operator CLI verb needs to work on this fixture's database.</summary>
    internal IConfiguration CliConfiguration() => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>(DatabaseSettings()) { ["Velvet:DataDir"] = _dataDir })
        .Build();

    /// <summary>A scope with system rights, for arranging data and checking what was stored.</summary>
    internal async Task<T> WithDbAsync<T>(Func<VelvetDb, IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        return await action(db, scope.ServiceProvider);
    }

    internal Task WithDbAsync(Func<VelvetDb, IServiceProvider, Task> action) =>
        WithDbAsync<bool>(async (db, sp) =>
        {
            await action(db, sp);
            return true;
        });
}

public sealed class SqliteApp : VelvetApp
{
    internal override string Engine => "sqlite";

    protected override IDictionary<string, string?> DatabaseSettings() => new Dictionary<string, string?> { ["Velvet:Database"] = "Sqlite" };
}

public sealed class PostgresApp : VelvetApp
{
    private readonly string _database = "velvet_test_" + Guid.NewGuid().ToString("N")[..16];

    internal override string Engine => "postgres";

    internal string ConnectionString => new NpgsqlConnectionStringBuilder(TestDatabases.PostgresConnectionString) { Database = _database }.ConnectionString;

    protected override IDictionary<string, string?> DatabaseSettings() => new Dictionary<string, string?>
    {
        ["Velvet:Database"] = "Postgres",
        ["ConnectionStrings:Postgres"] = ConnectionString,
    };

    public override Task InitializeAsync() =>
        // Nothing to start when PostgreSQL is not configured: every test of the class is reported skipped.
        TestDatabases.PostgresConfigured ? base.InitializeAsync() : Task.CompletedTask;

    public override async Task DisposeAsync()
    {
        if (!TestDatabases.PostgresConfigured)
        {
            return;
        }

        await base.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestDatabases.PostgresConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
