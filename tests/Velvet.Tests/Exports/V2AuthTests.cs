using System.Net.Http.Headers;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Exports;

public abstract class V2AuthTests(VelvetApp app) : IntegrationTest(app)
{
    private const string Invalid = "Credentials are invalid";

    private async Task<(TestWorld World, V2Client V2)> ArrangeAsync()
    {
        var world = await TestWorld.CreateAsync(App);
        return (world, new V2Client(Api, App, world.V2User, world.V2Secret));
    }

    [DbFact]
    public async Task A_good_wsse_header_is_accepted()
    {
        var (_, v2) = await ArrangeAsync();
        (await v2.Get("/api/v2/source")).AssertV2Ok();
    }

    [DbFact]
    public async Task The_header_is_also_accepted_as_WSSE_without_the_UsernameToken_prefix()
    {
        var (_, v2) = await ArrangeAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/field");
        request.Headers.TryAddWithoutValidation("WSSE", v2.Header()["UsernameToken ".Length..]);
        (await Api.SendRaw(request)).AssertV2Ok();
    }

    [DbFact]
    public async Task A_wrong_digest_answers_401_credentials_are_invalid()
    {
        var (_, v2) = await ArrangeAsync();
        (await v2.Get("/api/v2/source", v2.Header(digestSecret: "wrong"))).AssertV2Error(401, 1, Invalid);
    }

    [DbFact]
    public async Task An_unknown_user_answers_401()
    {
        var (_, _) = await ArrangeAsync();
        var stranger = new V2Client(Api, App, "nobody-" + Guid.NewGuid().ToString("N"), "secret");
        (await stranger.Get("/api/v2/source")).AssertV2Error(401, 1, Invalid);
    }

    [DbFact]
    public async Task Created_more_than_five_minutes_away_answers_401()
    {
        var (_, v2) = await ArrangeAsync();
        var now = App.Clock.GetUtcNow();
        (await v2.Get("/api/v2/source", v2.Header(created: now.AddMinutes(-6)))).AssertV2Error(401, 1, Invalid);
        (await v2.Get("/api/v2/source", v2.Header(created: now.AddMinutes(6)))).AssertV2Error(401, 1, Invalid);
        (await v2.Get("/api/v2/source", v2.Header(created: now.AddMinutes(-4).ToOffset(TimeSpan.FromHours(9))))).AssertV2Ok();
    }

    [DbFact]
    public async Task A_nonce_is_accepted_once()
    {
        var (_, v2) = await ArrangeAsync();
        var header = v2.Header(nonce: "nonce-" + Guid.NewGuid().ToString("N"));
        (await v2.Get("/api/v2/source", header)).AssertV2Ok();
        (await v2.Get("/api/v2/source", header)).AssertV2Error(401, 1, Invalid);
    }

    [DbFact]
    public async Task Replays_sent_at_the_same_time_succeed_once()
    {
        var (_, v2) = await ArrangeAsync();
        var header = v2.Header();
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => v2.Get("/api/v2/source", header)));
        Assert.Equal(1, replies.Count(r => r.Code == 200));
        Assert.All(replies.Where(r => r.Code != 200), r => r.AssertV2Error(401, 1, Invalid));
    }

    [DbFact]
    public async Task A_server_key_auth_token_is_accepted_but_a_user_token_is_not()
    {
        var (world, _) = await ArrangeAsync();
        (await Api.Get("/api/v2/source?auth_token=" + Uri.EscapeDataString(world.ServerToken))).AssertV2Ok();
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v2/source");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", world.ServerToken);
        (await Api.SendRaw(bearer)).AssertV2Ok();
        (await Api.Get("/api/v2/source?auth_token=" + Uri.EscapeDataString(world.AdminToken))).AssertV2Error(401, 1, Invalid);
    }

    [DbFact]
    public async Task An_unknown_v2_path_answers_404_in_the_v2_envelope()
    {
        (await Api.Get("/api/v2/nothing/here")).AssertV2Error(404, 10001, "Record not found or wrong url");
    }

    [DbFact]
    public async Task No_credentials_answer_401()
    {
        (await Api.Get("/api/v2/source")).AssertV2Error(401, 1, Invalid);
        (await Api.Get("/api/v2/export/1")).AssertV2Error(401, 1, Invalid);
    }
}

public sealed class V2AuthTests_Sqlite(SqliteApp app) : V2AuthTests(app), IClassFixture<SqliteApp>;

public sealed class V2AuthTests_Postgres(PostgresApp app) : V2AuthTests(app), IClassFixture<PostgresApp>;
