using System.Net.Http.Headers;
using System.Text;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Wire;

/// <summary>The conventions every v1 endpoint shares, driven through the real pipeline.</summary>
public abstract class WirePipelineTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task Unknown_routes_answer_404_in_the_api_format()
    {
        (await Api.Get("/api/v1/no_such_thing.json")).AssertError(404, "Record not found or wrong url");
        (await Api.Get("/nowhere")).AssertError(404);
    }

    [DbFact]
    public async Task Paths_work_with_and_without_the_json_suffix()
    {
        (await Api.Get("/api/v1/dictionaries.json")).AssertOk();
        (await Api.Get("/api/v1/dictionaries")).AssertOk();
        (await Api.Get("/api/v1/dictionaries/genders.json")).AssertOk();
    }

    [DbFact]
    public async Task Auth_token_is_read_from_a_get_form_body_a_query_string_and_a_json_body()
    {
        var world = await TestWorld.CreateAsync(App);
        (await Api.Get("/api/v1/profile.json", ("auth_token", world.AdminToken))).AssertOk();
        (await Api.Get($"/api/v1/profile.json?auth_token={world.AdminToken}")).AssertOk();
        (await Api.SendJson(HttpMethod.Get, "/api/v1/profile.json", new { auth_token = world.AdminToken })).AssertOk();
    }

    [DbFact]
    public async Task Malformed_bodies_answer_400_in_the_api_format()
    {
        var world = await TestWorld.CreateAsync(App);
        using var badJson = new HttpRequestMessage(HttpMethod.Post, "/api/v1/venues/set_filters.json")
        {
            Content = new StringContent("{\"auth_token\": \"" + world.AdminToken + "\", ", Encoding.UTF8, "application/json"),
        };
        (await Api.SendRaw(badJson)).AssertError(400, "Malformed JSON body");

        using var notObject = new HttpRequestMessage(HttpMethod.Post, "/api/v1/venues/set_filters.json")
        {
            Content = new StringContent("[1,2,3]", Encoding.UTF8, "application/json"),
        };
        (await Api.SendRaw(notObject)).AssertError(400, "JSON body must be an object");

        using var conflicting = new HttpRequestMessage(HttpMethod.Post, "/api/v1/venues/set_filters.json")
        {
            Content = new StringContent($"auth_token={world.AdminToken}&a=1&a[b]=2", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        (await Api.SendRaw(conflicting)).AssertError(400);
    }

    [DbFact]
    public async Task A_body_over_the_limit_is_refused_without_a_500()
    {
        var big = new ByteArrayContent(new byte[11 * 1024 * 1024]);
        big.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens.json") { Content = big };
        var reply = await Api.SendRaw(request);
        Assert.True(reply.Code is 400 or 413, reply.Text);
        Assert.Equal(reply.Code, reply.Json.GetProperty("status_code").GetInt32());
    }

    [DbFact]
    public async Task A_hundred_thousand_keys_are_refused_with_400()
    {
        var body = string.Join('&', Enumerable.Range(0, 100_000).Select(i => $"k{i}=v"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens.json")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        (await Api.SendRaw(request)).AssertError(400, "Too many parameters");
    }

    [DbFact]
    public async Task Wrong_method_on_a_known_path_answers_in_the_api_format()
    {
        var reply = await Api.Put("/api/v1/dictionaries.json");
        Assert.Equal(reply.Code, reply.Json.GetProperty("status_code").GetInt32());
    }

    [DbFact]
    public async Task Openapi_document_and_reference_page_are_served()
    {
        var openApi = await Api.Get("/openapi/v1.json");
        openApi.AssertOk();
        Assert.Contains("/api/v1/tokens", openApi.Text, StringComparison.Ordinal);
        var docs = await App.CreateClient(new() { AllowAutoRedirect = true }).GetAsync("/docs/");
        Assert.True(docs.IsSuccessStatusCode);
    }

    [DbFact]
    public async Task Health_reports_a_reachable_database()
    {
        var health = (await Api.Get("/health")).AssertOk().Json;
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }
}

public sealed class WirePipelineTests_Sqlite(SqliteApp app) : WirePipelineTests(app), IClassFixture<SqliteApp>;

public sealed class WirePipelineTests_Postgres(PostgresApp app) : WirePipelineTests(app), IClassFixture<PostgresApp>;
