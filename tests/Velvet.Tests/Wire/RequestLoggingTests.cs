using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
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
    public async Task An_operators_log_levels_win_over_the_servers_defaults()
    {
        await using var quiet = app.WithWebHostBuilder(builder => builder.UseSetting("Serilog:MinimumLevel:Default", "Warning"));
        await using var verbose = app.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration(configuration =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Information" })));

        var before = app.Logs.All.Count;
        (await new ApiClient(quiet.CreateClient()).Get("/api/v1/profile.json")).AssertError(423);
        (await new ApiClient(quiet.CreateClient()).Get("/health")).AssertOk();
        Assert.DoesNotContain(app.Logs.All.Skip(before), line => line.Contains("/health", StringComparison.Ordinal) || line.Contains("/api/v1/profile", StringComparison.Ordinal));

        // The server's own default keeps ASP.NET Core's request lines out; an operator's override lets them in.
        before = app.Logs.All.Count;
        (await new ApiClient(verbose.CreateClient()).Get("/health")).AssertOk();
        var logged = app.Logs.All.Skip(before).ToList();
        Assert.Contains(logged, line => line.Contains("/health", StringComparison.Ordinal) && line.Contains("RequestLoggingMiddleware", StringComparison.Ordinal));
        Assert.Contains(logged, line => line.StartsWith("Information Microsoft.AspNetCore.", StringComparison.Ordinal));
    }
}
