using Microsoft.AspNetCore.Hosting;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Wire;

/// <summary>Structured logs are kept by operators for a long time: tokens, passwords and secrets must never reach them.</summary>
public sealed class RequestLoggingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Logs_never_contain_tokens_or_passwords()
    {
        var api = new ApiClient(app.CreateClient());
        var world = await TestWorld.CreateAsync(app);
        var signIn = await api.Post("/api/v1/tokens.json", ("email", world.Admin.Email), ("password", TestWorld.Password), ("device_token", "log-test"));
        var token = signIn.AssertOk().Json.GetProperty("token").GetString()!;
        await api.Get($"/api/v1/profile.json?auth_token={token}");
        await api.Post("/api/v1/tokens.json", ("email", world.Admin.Email), ("password", "wrong-" + TestWorld.Password));
        await api.Get("/api/v1/staff.json", ("auth_token", world.ServerToken));

        var logs = string.Join('\n', app.Logs.All);
        Assert.Contains("/api/v1/profile", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(TestWorld.Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(world.ServerToken, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_mistake_is_logged_as_its_status_not_as_an_error_with_a_stack_trace()
    {
        var api = new ApiClient(app.CreateClient());
        var world = await TestWorld.CreateAsync(app);
        var before = app.Logs.All.Count;

        (await api.Post("/api/v1/tokens.json", ("email", world.Admin.Email), ("password", "wrong-" + TestWorld.Password))).AssertError(401);

        var logged = app.Logs.All.Skip(before).ToList();
        Assert.Contains(logged, line => line.Contains("/api/v1/tokens", StringComparison.Ordinal) && line.Contains("401", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, line => line.StartsWith("Error", StringComparison.Ordinal) || line.Contains(" at Velvet.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_operator_who_sets_the_level_to_warning_gets_no_line_per_request()
    {
        using var quiet = app.WithWebHostBuilder(builder => builder.UseSetting("Serilog:MinimumLevel:Default", "Warning"));
        var api = new ApiClient(quiet.CreateClient());
        var before = app.Logs.All.Count;

        (await api.Get("/api/v1/profile.json")).AssertError(423);
        (await api.Get("/health")).AssertOk();

        Assert.DoesNotContain(app.Logs.All.Skip(before), line => line.Contains("/health", StringComparison.Ordinal) || line.Contains("/api/v1/profile", StringComparison.Ordinal));
    }
}
