using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Forms;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Sync;

namespace Velvet.Api.Cli;

/// <summary>
/// Operator verbs on the same executable: `dotnet run --project src/Velvet.Api -- users add …`.
/// They use the same configuration (Velvet__Database, ConnectionStrings__Postgres, …) as the server.
/// </summary>
internal static class CliApp
{
    private static readonly string[] Verbs = ["migrate", "users", "keys", "forms", "companies", "venues"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <param name="configuration">Tests pass their own; otherwise appsettings.json and the environment, as the server reads them.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, IConfiguration? configuration = null)
    {
        output ??= Console.Out;
        CliHost.Configuration = configuration;
        var root = new RootCommand("Velvet operator commands");
        root.Subcommands.Add(Migrate(output));
        root.Subcommands.Add(Companies(output));
        root.Subcommands.Add(Venues(output));
        root.Subcommands.Add(Users(output));
        root.Subcommands.Add(Keys(output));
        root.Subcommands.Add(Forms(output));
        return await root.Parse(args).InvokeAsync();
    }

    private static Command Migrate(TextWriter output)
    {
        var command = new Command("migrate", "Apply pending database migrations");
        command.SetAction(async (_, ct) =>
        {
            await using var host = await CliHost.StartAsync(ct);
            await output.WriteLineAsync("Database is up to date.");
            return 0;
        });
        return command;
    }

    private static Command Companies(TextWriter output)
    {
        var name = new Option<string>("--name") { Required = true, Description = "Company name" };
        var zone = new Option<string>("--time-zone") { Description = "IANA time zone", DefaultValueFactory = _ => "America/Los_Angeles" };
        var add = new Command("add", "Create a company") { name, zone };
        add.SetAction((result, ct) => CliHost.RunAsync(output, async accounts =>
        {
            var company = await accounts.AddCompanyAsync(result.GetValue(name)!, result.GetValue(zone)!, ct);
            await output.WriteLineAsync($"company {company.Id} {company.Name} ({company.TimeZoneId})");
        }, ct));
        return new Command("companies", "Manage companies") { add };
    }

    private static Command Venues(TextWriter output)
    {
        var company = new Option<int>("--company") { Required = true, Description = "Company id" };
        var name = new Option<string>("--name") { Required = true, Description = "Venue name" };
        var type = new Option<string?>("--type") { Description = "Venue type (Nightclub, Lounge, …)" };
        var add = new Command("add", "Create a venue") { company, name, type };
        add.SetAction((result, ct) => CliHost.RunAsync(output, async accounts =>
        {
            var venue = await accounts.AddVenueAsync(result.GetValue(company), result.GetValue(name)!, result.GetValue(type), ct);
            await output.WriteLineAsync($"venue {venue.Id} {venue.Name}");
        }, ct));
        return new Command("venues", "Manage venues") { add };
    }

    private static Command Users(TextWriter output)
    {
        var company = new Option<int>("--company") { Required = true, Description = "Company id" };
        var email = new Option<string>("--email") { Required = true, Description = "Sign-in e-mail" };
        var password = new Option<string>("--password") { Required = true, Description = "Initial password" };
        var first = new Option<string>("--first-name") { Required = true, Description = "First name" };
        var last = new Option<string?>("--last-name") { Description = "Last name" };
        var department = new Option<string?>("--department") { Description = "Department, e.g. \"VIP Host\"" };
        var venues = new Option<int[]>("--venue") { Description = "Venue id (repeat); the first is home", AllowMultipleArgumentsPerToken = true };
        var admin = new Option<bool>("--admin") { Description = "Every permission" };
        var add = new Command("add", "Create a user") { company, email, password, first, last, department, venues, admin };
        add.SetAction((result, ct) => CliHost.RunAsync(output, async accounts =>
        {
            var permissions = result.GetValue(admin) ? Permissions.All() : new Permissions().Grant("Contact", Permissions.Read);
            var venueIds = result.GetValue(venues) ?? [];
            var user = await accounts.AddUserAsync(result.GetValue(company), result.GetValue(email)!, result.GetValue(password)!,
                result.GetValue(first)!, result.GetValue(last), result.GetValue(department), permissions, venueIds, null, ct);
            await output.WriteLineAsync($"user {user.Id} {user.Email}");
        }, ct));

        var deactivateEmail = new Option<string>("--email") { Required = true, Description = "Sign-in e-mail" };
        var deactivate = new Command("deactivate", "Deactivate a user: every request of theirs answers 423") { deactivateEmail };
        deactivate.SetAction((result, ct) => CliHost.RunAsync(output, async accounts =>
        {
            var found = await accounts.SetActiveAsync(result.GetValue(deactivateEmail)!, active: false, ct);
            await output.WriteLineAsync(found ? "deactivated" : "no such user");
            return found ? 0 : 1;
        }, ct));
        return new Command("users", "Manage users") { add, deactivate };
    }

    private static Command Keys(TextWriter output)
    {
        var company = new Option<int>("--company") { Required = true, Description = "Company id" };
        var name = new Option<string>("--name") { Required = true, Description = "What the key is for" };
        var userName = new Option<string?>("--v2-user") { Description = "v2 (X-WSSE) user name" };
        var add = new Command("add", "Create a server-to-server key; prints its token and v2 secret once") { company, name, userName };
        add.SetAction((result, ct) => CliHost.RunAsync(output, async accounts =>
        {
            var (key, token, secret) = await accounts.AddApiKeyAsync(result.GetValue(company), result.GetValue(name)!,
                null, result.GetValue(userName), null, ct);
            await output.WriteLineAsync($"key {key.Id} {key.Name}\nauth_token: {token}\nv2 user: {key.V2UserName}\nv2 secret: {secret}");
        }, ct));
        return new Command("keys", "Manage server-to-server API keys") { add };
    }

    private static Command Forms(TextWriter output)
    {
        var company = new Option<int>("--company") { Required = true, Description = "Company id" };
        var name = new Option<string>("--name") { Required = true, Description = "Form name, e.g. \"Website sign-up\"" };
        var type = new Option<string>("--type") { Description = "Form type", DefaultValueFactory = _ => SignupForm.DefaultType };
        var add = new Command("add", "Create a public sign-up form; prints its token once") { company, name, type };
        add.SetAction((result, ct) => CliHost.RunAsync(output, async accounts =>
        {
            var (form, token) = await accounts.AddSignupFormAsync(result.GetValue(company), result.GetValue(name)!, result.GetValue(type),
                null, ct);
            await output.WriteLineAsync($"form {form.Id} {form.Name} ({form.Type})\ntoken: {token}");
        }, ct));
        return new Command("forms", "Manage public sign-up forms") { add };
    }
}

/// <summary>The services of the server without its web host, for one CLI verb.</summary>
internal sealed class CliHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private readonly Task _commits;

    private CliHost(ServiceProvider provider)
    {
        _provider = provider;
        _commits = provider.GetRequiredService<SyncSignal>().NextLocalCommit;
    }

    public IServiceProvider Services => _provider;

    // Async-local, not a plain static: test classes run verbs in parallel, each against its own database.
    private static readonly AsyncLocal<IConfiguration?> CurrentConfiguration = new();

    internal static IConfiguration? Configuration
    {
        get => CurrentConfiguration.Value;
        set => CurrentConfiguration.Value = value;
    }

    /// <summary>Every verb works on a migrated database, so starting applies the pending migrations.</summary>
    public static async Task<CliHost> StartAsync(CancellationToken ct)
    {
        var configuration = Configuration ?? new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddVelvet(configuration);
        var host = new CliHost(services.BuildServiceProvider());
        await StorageSetup.MigrateAsync(host.Services, ct);
        return host;
    }

    public static Task<int> RunAsync(TextWriter output, Func<Accounts, Task> action, CancellationToken ct) =>
        RunAsync(output, async accounts =>
        {
            await action(accounts);
            return 0;
        }, ct);

    public static async Task<int> RunAsync(TextWriter output, Func<Accounts, Task<int>> action, CancellationToken ct)
    {
        await using var host = await StartAsync(ct);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        try
        {
            return await action(scope.ServiceProvider.GetRequiredService<Accounts>());
        }
        catch (Exception e) when (e is ArgumentException or DbUpdateException or UnstorableTextException)
        {
            await output.WriteLineAsync("error: " + e.Message);
            return 1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // No notifier runs here: long polls on the servers hear of this verb's captured commits from one NOTIFY.
            if (_commits.IsCompleted)
            {
                await SyncNotifications.NotifyOnceAsync(_provider.GetRequiredService<IServiceScopeFactory>(),
                    _provider.GetRequiredService<ILogger<CliHost>>(), CancellationToken.None);
            }
        }
        finally
        {
            await _provider.DisposeAsync();
        }
    }
}
