using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Velvet.Api.Storage;

internal static class StorageSetup
{
    private static readonly Contacts.ContactChangeCapture ContactChanges = new();
    private static readonly TextLimits TextLimits = new();

    public static IServiceCollection AddVelvetStorage(this IServiceCollection services, IConfiguration configuration, VelvetOptions options)
    {
        services.AddScoped<Tenant>();
        services.AddSingleton(configuration.GetSection(Sync.SyncOptions.Section).Get<Sync.SyncOptions>() ?? new Sync.SyncOptions());
        services.AddSingleton<Sync.SyncWatermark>();
        services.AddSingleton<Sync.ChangeCapture>();
        services.AddHostedService<Sync.LogPruning>();
        services.AddSingleton<Sync.SyncSignal>();
        services.AddHostedService<Sync.SyncNotifications>();
        if (options.UsePostgres)
        {
            var connectionString = configuration.GetConnectionString("Postgres")
                ?? throw new InvalidOperationException("Velvet:Database is Postgres but ConnectionStrings:Postgres is not set");
            services.AddDbContext<VelvetDb, PostgresVelvetDb>((sp, o) => sp.GetRequiredService<Sync.ChangeCapture>().AddTo(UsePostgres(o, connectionString), postgres: true));
        }
        else
        {
            Directory.CreateDirectory(options.DataPath());
            var connectionString = configuration.GetConnectionString("Sqlite")
                ?? $"Data Source={options.DataPath("velvet.db")};Default Timeout=30";
            if (options.RefreshSqliteStatistics)
            {
                services.AddHostedService<SqliteStatistics>();
            }
            services.AddDbContext<VelvetDb, SqliteVelvetDb>((sp, o) => sp.GetRequiredService<Sync.ChangeCapture>().AddTo(UseSqlite(o, connectionString), postgres: false));
        }

        return services;
    }

    public static DbContextOptionsBuilder UseSqlite(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseSqlite(connectionString, o => o.MigrationsAssembly(typeof(VelvetDb).Assembly.FullName))
            .ConfigureWarnings(w => LogFailedSavesOnce(w))
            .AddInterceptors(new SqlitePragmaInterceptor(), TextLimits, ContactChanges);

    // Last Changes' capture appends the writer's registration and the read of the save's contacts to the save's last
    // batch on purpose (Sync/CaptureBatch); EF reads its own results and would warn of those on every write.
    public static DbContextOptionsBuilder UsePostgres(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(PooledConnectionStrings.GetOrAdd(connectionString, WithPoolDefaults), o => o.MigrationsAssembly(typeof(VelvetDb).Assembly.FullName))
            .ConfigureWarnings(w => LogFailedSavesOnce(w.Ignore(RelationalEventId.UnexpectedTrailingResultSetWhenSaving)))
            .AddInterceptors(TextLimits, ContactChanges);

    /// <summary>
    /// A failed save reaches whoever made it, which logs it once at the level it deserves: the error middleware a lost
    /// race as a warning (the client is asked to retry) and anything else as an unhandled error, a background job its
    /// own failure. EF's error line for the same save would report a handled 503 as an error; it is kept for debugging.
    /// </summary>
    private static WarningsConfigurationBuilder LogFailedSavesOnce(WarningsConfigurationBuilder warnings) =>
        warnings.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug));

    // The options are built for every request's context (ContactChangeCapture reads the request's services from them),
    // so the connection string is parsed once per string, not per request: that was 1.3 % of the server's CPU on a
    // contact update. A server has one string; tests and benches one per database.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> PooledConnectionStrings = new(StringComparer.Ordinal);

    /// <summary>
    /// Pool settings for a server's many short requests; an operator's own setting of either wins.
    /// - Auto-prepare: every request runs the same few statements (authentication, the record, the log insert):
    ///   prepared once per pooled connection, PostgreSQL stops re-planning them.
    /// - No reset on close: EF returns the connection to the pool after each query outside a transaction (about six
    ///   times per contact update), and each return made PostgreSQL run seven reset statements with the next command.
    ///   Velvet keeps no session state on pooled connections: its advisory locks end with their transaction, LISTEN
    ///   has an unpooled connection of its own, and Npgsql still rolls back a transaction left open.
    /// </summary>
    internal static string WithPoolDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 100;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>Applies the pending migrations of whichever engine is configured.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers (Last Changes polls) run while a writer commits. The mode is stored in the database file and
            // outlives every connection, so it is set here, where the server and every CLI verb pass before using the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}

/// <summary>
/// The SQLite settings that belong to a connection rather than to the file. Every open sets them: a connection the pool
/// hands back already has them, but a new one looks the same from here, and the statement is cheap.
/// </summary>
internal sealed class SqlitePragmaInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) =>
        Pragmas(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Pragmas(connection);
        return Task.CompletedTask;
    }

    private static void Pragmas(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        command.ExecuteNonQuery();
    }
}

/// <summary>Lets dotnet-ef build each provider's context to add a migration to Migrations/Sqlite or Migrations/Postgres.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteVelvetDb>
{
    public SqliteVelvetDb CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteVelvetDb>();
        StorageSetup.UseSqlite(builder, "Data Source=design.db");
        return new SqliteVelvetDb(builder.Options, new Tenant());
    }
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresVelvetDb>
{
    public PostgresVelvetDb CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresVelvetDb>();
        StorageSetup.UsePostgres(builder, "Host=127.0.0.1;Database=velvet_design");
        return new PostgresVelvetDb(builder.Options, new Tenant());
    }
}
