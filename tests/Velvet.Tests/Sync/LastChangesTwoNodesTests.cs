using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.StaticTexts;
using Velvet.Api.Storage;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

/// <summary>Two API nodes on one PostgreSQL database: a writer on one, devices polling the other.</summary>
public sealed class LastChangesTwoNodesTests_Postgres(SharedPostgresPair pair) : IClassFixture<SharedPostgresPair>
{
    [DbFact]
    public async Task A_transaction_open_on_one_node_holds_back_the_timestamp_the_other_node_hands_out()
    {
        var world = await TestWorld.CreateAsync(pair.First);
        var second = new ApiClient(pair.Second.CreateClient());
        await AcknowledgeAsync(second, world.AdminToken);

        await using var scope = pair.First.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "privacy", Text = "Written on the first node" });
        await db.SaveChangesAsync();

        // The polling node's clock is well past the open writer's stamps: only the writer's registration, seen
        // across processes, keeps the handed-out timestamp below them.
        pair.Second.Clock.Advance(TimeSpan.FromSeconds(5));
        var during = await PullAsync(second, world.AdminToken);
        Assert.DoesNotContain(Entries(during), e => e.ClassName == "StaticText");
        await transaction.CommitAsync();

        var after = await PullAsync(second, world.AdminToken, during.GetProperty("timestamp").GetString()!);
        Assert.Contains(Entries(after), e => e.ClassName == "StaticText" && e.Action == "create");
    }

    [DbFact]
    public async Task A_writer_whose_clock_lags_the_polling_node_by_less_than_the_allowance_is_not_missed()
    {
        var world = await TestWorld.CreateAsync(pair.First);
        var second = new ApiClient(pair.Second.CreateClient());
        await AcknowledgeAsync(second, world.AdminToken);
        pair.First.Clock.Match(pair.Second.Clock);
        pair.Second.Clock.Advance(TimeSpan.FromMilliseconds(200));
        // Just after a whole second on the polling node: the handed-out timestamp (floored to the second) is then
        // above the lagging node's next stamp unless the allowance keeps it below.
        while (pair.Second.Clock.GetUtcNow().Millisecond > 30)
        {
            await Task.Delay(5);
        }

        var mark = (await PullAsync(second, world.AdminToken)).GetProperty("timestamp").GetString()!;

        // Stamped by the lagging node's clock: below the polling node's "now" when the timestamp was handed out.
        await Change(pair.First, db =>
        {
            db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "skew", Text = "from the slow clock" });
            return Task.CompletedTask;
        });
        var next = await PullAsync(second, world.AdminToken, mark);
        Assert.Contains(Entries(next), e => e.ClassName == "StaticText" && e.Action == "create");
    }

    [DbFact]
    public async Task Every_commit_on_one_node_wakes_a_long_poll_waiting_on_the_other()
    {
        var world = await TestWorld.CreateAsync(pair.First);
        var second = new ApiClient(pair.Second.CreateClient());
        await AcknowledgeAsync(second, world.AdminToken);
        // Rounds back to back: the first node tells the other of each commit, also of one made while it was telling of the last.
        for (var round = 0; round < 3; round++)
        {
            // Past the second of the entries before (a reply repeats its boundary second's); both nodes' clocks move
            // together, as NTP keeps them.
            pair.Second.Clock.Advance(TimeSpan.FromSeconds(2));
            pair.First.Clock.Match(pair.Second.Clock);
            var mark = (await PullAsync(second, world.AdminToken)).GetProperty("timestamp").GetString()!;
            var text = "from the first node, round " + round;
            var started = System.Diagnostics.Stopwatch.StartNew();
            var poll = second.Get("/api/v1/last_changes", ("auth_token", world.AdminToken), ("start_date", mark), ("wait", "20"));
            await Task.Delay(300);
            await Change(pair.First, db =>
            {
                db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "wake" + round, Text = text });
                return Task.CompletedTask;
            });
            var reply = await poll;
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"round {round} woke after {started.Elapsed}");
            Assert.Contains(reply.Json.GetProperty("activity_log").EnumerateArray(),
                e => e.GetProperty("class_name").GetString() == "StaticText" && e.GetProperty("data").GetProperty("text").GetString() == text);
        }
    }
}
