using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Wire;

/// <summary>Structured logs are kept by operators for a long time: tokens, passwords and secrets must never reach them.</summary>
public sealed class RequestLoggingTests(RequestLoggingTests.CapturingApp app) : IClassFixture<RequestLoggingTests.CapturingApp>
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

        var logs = string.Join('\n', app.Lines);
        Assert.Contains("/api/v1/profile", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(TestWorld.Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(world.ServerToken, logs, StringComparison.Ordinal);
    }

    public sealed class CapturingApp : VelvetApp
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        internal override string Engine => "sqlite";

        protected override IDictionary<string, string?> DatabaseSettings() => new Dictionary<string, string?> { ["Velvet:Database"] = "Sqlite" };

        protected override void ConfigureMore(IWebHostBuilder builder) =>
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(new CapturingProvider(Lines)));
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue(formatter(state, exception) + " " + structured + " " + exception);
        }
    }
}
