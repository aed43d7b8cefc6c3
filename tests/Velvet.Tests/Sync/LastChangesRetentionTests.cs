using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.StaticTexts;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

/// <summary>Pruning moves a horizon shared by the whole database: a fixture of its own.</summary>
public abstract class LastChangesRetentionTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task Start_date_before_the_pruned_horizon_is_too_many_changes()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await Change(App, db =>
        {
            db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "terms", Text = "Be nice" });
            return Task.CompletedTask;
        });
        await App.WithDbAsync(async (db, services) =>
            await Velvet.Api.Sync.LogPruning.PruneOnceAsync(db, App.Clock.GetUtcNow().UtcDateTime.AddDays(91),
                services.GetRequiredService<Velvet.Api.Sync.SyncOptions>(), default));

        var reply = await PullAsync(Api, world.AdminToken);
        Assert.Equal("Too many changes", reply.GetProperty("message").GetString());
        // The horizon sits one day after now here (pruned as if 91 days later): a start after it is served.
        var recent = await PullAsync(Api, world.AdminToken, App.Clock.GetUtcNow().UtcDateTime.AddDays(2).ToString("yyyy-MM-dd HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, recent.GetProperty("status").GetInt32());
    }

}

public sealed class LastChangesRetentionTests_Sqlite(SqliteApp app) : LastChangesRetentionTests(app), IClassFixture<SqliteApp>;

public sealed class LastChangesRetentionTests_Postgres(PostgresApp app) : LastChangesRetentionTests(app), IClassFixture<PostgresApp>;
