using Microsoft.Extensions.Configuration;
using Velvet.Api.Cli;

namespace Velvet.Tests.Cli;

/// <summary>The operator verbs against a real SQLite database of their own.</summary>
public sealed class CliAppTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "velvet-cli-tests", Guid.NewGuid().ToString("N"));

    private IConfiguration Configuration => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Velvet:DataDir"] = _dataDir,
        ["Velvet:Database"] = "Sqlite",
    }).Build();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var code = await CliApp.RunAsync(args, output, Configuration);
        return (code, output.ToString());
    }

    [Fact]
    public async Task Operators_create_a_company_venue_user_and_key_then_deactivate_the_user()
    {
        var (code, output) = await RunAsync("migrate");
        Assert.Equal(0, code);
        Assert.Contains("up to date", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("companies", "add", "--name", "Harbor", "--time-zone", "America/New_York");
        Assert.Equal(0, code);
        var companyId = output.Split(' ')[1];

        (code, output) = await RunAsync("venues", "add", "--company", companyId, "--name", "Pier 9", "--type", "Lounge");
        Assert.Equal(0, code);
        var venueId = output.Split(' ')[1];

        (code, output) = await RunAsync("users", "add", "--company", companyId, "--email", "Owner@Harbor.test", "--password", "harbor-owner",
            "--first-name", "Morgan", "--venue", venueId, "--admin");
        Assert.Equal(0, code);
        Assert.Contains("owner@harbor.test", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("users", "add", "--company", companyId, "--email", "owner@harbor.test", "--password", "x-password",
            "--first-name", "Again");
        Assert.Equal(1, code);
        Assert.Contains("already exists", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("keys", "add", "--company", companyId, "--name", "Mailer", "--v2-user", "mailer");
        Assert.Equal(0, code);
        Assert.Matches("auth_token: [A-Za-z0-9_-]{20,}", output);
        Assert.Contains("v2 user: mailer", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("users", "deactivate", "--email", "owner@harbor.test");
        Assert.Equal(0, code);
        Assert.Contains("deactivated", output, StringComparison.Ordinal);

        (code, _) = await RunAsync("users", "deactivate", "--email", "nobody@harbor.test");
        Assert.Equal(1, code);
    }

    [Fact]
    public async Task An_unknown_time_zone_is_refused()
    {
        var (code, output) = await RunAsync("companies", "add", "--name", "Nowhere", "--time-zone", "Mars/Olympus");
        Assert.Equal(1, code);
        Assert.Contains("Unknown time zone", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }
}
