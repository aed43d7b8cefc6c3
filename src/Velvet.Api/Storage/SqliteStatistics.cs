using Microsoft.EntityFrameworkCore;

namespace Velvet.Api.Storage;

/// <summary>
/// SQLite keeps no planner statistics on its own (PostgreSQL's autovacuum does). Without them it cannot tell that an
/// index (CompanyId, …) narrows a company's rows behind the tenant filter, which it compiles as
/// <c>(@system OR "CompanyId" = @company)</c> before knowing the values, and it reads the whole table instead: 8 ms per
/// contact lookup by e-mail or phone at 100,000 contacts. Refreshed at start and every hour, from a bounded sample of
/// each index, so the refresh stays quick on a large database.
/// </summary>
internal sealed class SqliteStatistics(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SqliteStatistics> logger)
    : HourlyJob(scopes, clock, logger)
{
    public static async Task RefreshAsync(VelvetDb db, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=1000; ANALYZE;", ct);
        // A connection reads the statistics when it opens: pooled ones would plan with the old ones until closed.
        Microsoft.Data.Sqlite.SqliteConnection.ClearPool((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection());
    }

    protected override string Name => "Refreshing SQLite's planner statistics";

    protected override Task RunOnceAsync(VelvetDb db, CancellationToken ct) => RefreshAsync(db, ct);
}
