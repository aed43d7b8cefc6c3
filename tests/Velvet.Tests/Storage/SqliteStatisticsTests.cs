using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Storage;

/// <summary>The embedded database finds a company's contact by e-mail through its index, not by reading every contact.</summary>
public sealed class SqliteStatisticsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task With_statistics_a_companys_lookup_by_email_searches_the_index_instead_of_reading_every_contact()
    {
        var world = await TestWorld.CreateAsync(app);
        await AddContactsAsync(app, world, 500);
        Assert.Contains(await PlanOfLookupByEmailAsync(world), step => step.StartsWith("SCAN ", StringComparison.Ordinal));

        await app.WithDbAsync((db, _) => SqliteStatistics.RefreshAsync(db, CancellationToken.None));

        Assert.Contains(await PlanOfLookupByEmailAsync(world),
            step => step.StartsWith("SEARCH", StringComparison.Ordinal) && step.Contains("IX_Contacts_CompanyId_EmailKey", StringComparison.Ordinal));
    }

    /// <summary>The plan of the statement EF sends for a company's lookup by e-mail, tenant filter and all.</summary>
    private async Task<List<string>> PlanOfLookupByEmailAsync(TestWorld world)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseCompany(world.Company.Id, [], [], null);
        var key = "guest42@example.com";
        await using var command = db.Contacts.Where(c => c.EmailKey == key).Select(c => c.Id).CreateDbCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        await db.Database.OpenConnectionAsync();
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(reader.FieldCount - 1));
            }
        }

        return plan;
    }

    internal static Task AddContactsAsync(VelvetApp app, TestWorld world, int count) =>
        app.WithDbAsync(async (db, _) =>
        {
            db.Contacts.AddRange(Enumerable.Range(0, count).Select(i =>
            {
                var contact = new Contact { CompanyId = world.Company.Id, FirstName = "Guest" + i, Email = $"guest{i}@example.com", Phone = $"(212)555-{i:D4}" };
                contact.RefreshSearchKeys();
                return contact;
            }));
            await db.SaveChangesAsync();
        });
}

/// <summary>A server on SQLite gathers the statistics itself when it starts (and every hour after).</summary>
public sealed class SqliteStatisticsOnStartTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_server_on_sqlite_gathers_planner_statistics_when_it_starts()
    {
        var world = await TestWorld.CreateAsync(app);
        await SqliteStatisticsTests.AddContactsAsync(app, world, 50);
        Assert.Equal(0, await StatisticsRowsAsync());

        await using var server = app.WithWebHostBuilder(builder => builder.UseSetting("Velvet:RefreshSqliteStatistics", "true"));
        _ = server.Server;

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await StatisticsRowsAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(await StatisticsRowsAsync() > 0, "no statistics for Contacts 20 s after the server started");
    }

    private async Task<long> StatisticsRowsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.DataDir, "velvet.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'";
        if ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'Contacts'";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
