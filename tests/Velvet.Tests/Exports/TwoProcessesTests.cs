using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Velvet.Api.Exports;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Exports;

public sealed class TwoProcessesTests_Postgres(SharedPostgresPair pair) : IClassFixture<SharedPostgresPair>
{
    [DbFact]
    public async Task A_key_created_on_one_node_signs_requests_on_the_other()
    {
        // The v2 secret is encrypted with Data Protection; the key ring is in the shared database.
        var world = await TestWorld.CreateAsync(pair.First);
        var onSecond = new V2Client(new ApiClient(pair.Second.CreateClient()), pair.Second, world.V2User, world.V2Secret);

        (await onSecond.Get("/api/v2/source")).AssertV2Ok();
    }

    // Half the requests use the server key's auth_token to cover both ways in; WSSE's nonce rule is a primary key
    // in the same database.
    [DbFact]
    public async Task The_same_export_sent_to_two_nodes_at_once_is_stored_once_and_run_once()
    {
        var world = await TestWorld.CreateAsync(pair.First);
        var first = new V2Client(new ApiClient(pair.First.CreateClient()), pair.First, world.V2User, world.V2Secret);
        var second = new ApiClient(pair.Second.CreateClient());
        var path = "/api/v2/contact/getchanges?auth_token=" + Uri.EscapeDataString(world.ServerToken);

        var replies = await Task.WhenAll(
            first.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest()),
            second.SendJson(HttpMethod.Post, path, ExportsEndpointsTests.SeedRequest()),
            first.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest()),
            second.SendJson(HttpMethod.Post, path, ExportsEndpointsTests.SeedRequest()));

        Assert.Equal(1, replies.Count(r => r.Code == 200));
        Assert.All(replies.Where(r => r.Code != 200), r => r.AssertV2Error(400, 4001, ExportsEndpoints.DuplicateMessage));
        var id = replies.Single(r => r.Code == 200).AssertV2Ok().GetProperty("id").GetInt32();

        var ran = await Task.WhenAll(
            Task.Run(() => pair.First.Services.GetRequiredService<ExportWorker>().RunOnceAsync(default)),
            Task.Run(() => pair.Second.Services.GetRequiredService<ExportWorker>().RunOnceAsync(default)));

        Assert.Equal(1, ran.Count(r => r));
        var job = await pair.Second.WithDbAsync((db, _) => db.ExportJobs.AsNoTracking().SingleAsync(j => j.Id == id));
        Assert.Equal(ExportStatus.Done, job.Status);
        Assert.Equal(1, job.Attempts);
    }
}
