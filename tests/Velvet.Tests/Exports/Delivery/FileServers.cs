using System.Diagnostics;
using System.Globalization;

namespace Velvet.Tests.Exports.Delivery;

// Real vsftpd (FTP and explicit FTPS) and OpenSSH (SFTP) on 127.0.0.1, as
// started by tests/servers/start-file-servers.sh. CI starts them and sets the
// VELVET_TEST_* variables; locally, either source the printed settings or set
// VELVET_TEST_START_FILE_SERVERS=1 (as root) and this fixture starts and stops
// them itself. Without either, the tests are skipped, never silently passed.
internal sealed record FileServerSettings(int FtpPort, int FtpsPort, int SftpPort, string User, string Password, string Root)
{
    public const string StartVariable = "VELVET_TEST_START_FILE_SERVERS";

    public static readonly string[] Variables =
    [
        "VELVET_TEST_FTP_PORT", "VELVET_TEST_FTPS_PORT", "VELVET_TEST_SFTP_PORT",
        "VELVET_TEST_FTP_USER", "VELVET_TEST_FTP_PASSWORD", "VELVET_TEST_FTP_ROOT",
    ];

    public static IReadOnlyList<string> MissingVariables() =>
        Variables.Where(name => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))).ToList();

    public static bool StartRequested => Environment.GetEnvironmentVariable(StartVariable) == "1";

    public static FileServerSettings From(Func<string, string?> lookup)
    {
        string Get(string name) => lookup(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set.");
        return new FileServerSettings(
            int.Parse(Get("VELVET_TEST_FTP_PORT"), CultureInfo.InvariantCulture),
            int.Parse(Get("VELVET_TEST_FTPS_PORT"), CultureInfo.InvariantCulture),
            int.Parse(Get("VELVET_TEST_SFTP_PORT"), CultureInfo.InvariantCulture),
            Get("VELVET_TEST_FTP_USER"),
            Get("VELVET_TEST_FTP_PASSWORD"),
            Get("VELVET_TEST_FTP_ROOT"));
    }

    public override string ToString() => $"ftp {FtpPort}, ftps {FtpsPort}, sftp {SftpPort}, user {User}, root {Root}";
}

public sealed class FileServerFactAttribute : FactAttribute
{
    public FileServerFactAttribute()
    {
        Skip = FileServerSkip.Reason();
    }
}

public sealed class FileServerTheoryAttribute : TheoryAttribute
{
    public FileServerTheoryAttribute()
    {
        Skip = FileServerSkip.Reason();
    }
}

internal static class FileServerSkip
{
    public static string? Reason()
    {
        var missing = FileServerSettings.MissingVariables();
        if (missing.Count == 0 || FileServerSettings.StartRequested)
        {
            return null;
        }
        return $"Needs the FTP/SFTP test servers: {string.Join(", ", missing)} not set. " +
               "Run tests/servers/start-file-servers.sh and export its output, " +
               $"or set {FileServerSettings.StartVariable}=1 (as root).";
    }
}

public sealed class FileServersFixture : IAsyncLifetime
{
    private bool _started;

    internal FileServerSettings? Settings { get; private set; }

    internal FileServerSettings Required =>
        Settings ?? throw new InvalidOperationException("The file servers are not configured.");

    public async Task InitializeAsync()
    {
        if (FileServerSettings.MissingVariables().Count == 0)
        {
            Settings = FileServerSettings.From(Environment.GetEnvironmentVariable);
            return;
        }
        if (!FileServerSettings.StartRequested)
        {
            return;
        }
        var output = await RunScriptAsync("start-file-servers.sh");
        _started = true;
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
        Settings = FileServerSettings.From(name => values.GetValueOrDefault(name));
    }

    public async Task DisposeAsync()
    {
        if (_started)
        {
            await RunScriptAsync("stop-file-servers.sh");
        }
    }

    private static async Task<string> RunScriptAsync(string script)
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "servers", script);
        using var process = Process.Start(new ProcessStartInfo("bash", [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not start {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {await stderr}");
        }
        return await stdout;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Velvet.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Velvet.slnx not found above the test binaries.");
    }
}

[CollectionDefinition(Name)]
public sealed class FileServersGroup : ICollectionFixture<FileServersFixture>
{
    public const string Name = "File servers";
}
