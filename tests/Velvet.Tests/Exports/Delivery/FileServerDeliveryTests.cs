using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Velvet.Api.Exports.Delivery;

namespace Velvet.Tests.Exports.Delivery;

// Uploads to real servers and reads the result back from the server's disk.
[Collection(FileServersGroup.Name)]
public sealed class FileServerDeliveryTests(FileServersFixture servers) : IDisposable
{
    private const string Utf8Csv = "user_id,first_name,city\r\n1,Zoë,Ærøskøbing\r\n2,Łukasz,東京\r\n3,\"=cmd\",🎉 Grüße\r\n";

    private readonly string _top = $"it-{Guid.NewGuid():N}";

    private FileServerSettings Servers => servers.Required;

    private static RoutingFileDelivery Delivery() => new RoutingFileDelivery(
        new FtpDelivery(new FtpClientOptions { ConnectTimeout = TimeSpan.FromSeconds(10), ReplyTimeout = TimeSpan.FromSeconds(20) },
            NullLogger<FtpDelivery>.Instance),
        new SftpDelivery(new SftpDeliveryOptions { ConnectTimeout = TimeSpan.FromSeconds(10) }, NullLogger<SftpDelivery>.Instance));

    private DeliveryTarget Target(string kind, string? password = null, bool acceptAnyCertificate = true) => kind switch
    {
        "ftp" => new("ftp", "127.0.0.1", Servers.FtpPort, Servers.User, password ?? Servers.Password, $"{_top}/day 1", false, false),
        "ftps" => new("ftp", "127.0.0.1", Servers.FtpsPort, Servers.User, password ?? Servers.Password, $"{_top}/day 1", true, acceptAnyCertificate),
        "sftp" => new("sftp", "127.0.0.1", Servers.SftpPort, Servers.User, password ?? Servers.Password, $"{_top}/day 1", false, false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private string OnDisk(params string[] parts) => Path.Combine([Servers.Root, _top, "day 1", .. parts]);

    [FileServerTheory]
    [InlineData("ftp")]
    [InlineData("ftps")]
    [InlineData("sftp")]
    public async Task Utf8_csv_arrives_byte_for_byte_and_the_temporary_name_is_gone(string kind)
    {
        var bytes = Encoding.UTF8.GetBytes(Utf8Csv);

        await Delivery().DeliverAsync(new MemoryStream(bytes), "changes-änderungen.csv", Target(kind), CancellationToken.None);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(OnDisk("changes-änderungen.csv")));
        Assert.Equal([OnDisk("changes-änderungen.csv")], Directory.GetFiles(OnDisk()));
    }

    [FileServerTheory]
    [InlineData("ftp")]
    [InlineData("ftps")]
    [InlineData("sftp")]
    public async Task Five_megabyte_file_arrives_whole(string kind)
    {
        var bytes = new byte[5 * 1024 * 1024];
        new Random(4).NextBytes(bytes);

        await Delivery().DeliverAsync(new MemoryStream(bytes), "big.csv", Target(kind), CancellationToken.None);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(OnDisk("big.csv")));
        Assert.Equal([OnDisk("big.csv")], Directory.GetFiles(OnDisk()));
    }

    [FileServerTheory]
    [InlineData("ftp")]
    [InlineData("ftps")]
    [InlineData("sftp")]
    public async Task Second_delivery_into_existing_folders_replaces_the_file(string kind)
    {
        await Delivery().DeliverAsync(new MemoryStream("first"u8.ToArray()), "changes.csv", Target(kind), CancellationToken.None);
        await Delivery().DeliverAsync(new MemoryStream("second"u8.ToArray()), "changes.csv", Target(kind), CancellationToken.None);

        Assert.Equal("second", await File.ReadAllTextAsync(OnDisk("changes.csv")));
        Assert.Equal([OnDisk("changes.csv")], Directory.GetFiles(OnDisk()));
    }

    [FileServerTheory]
    [InlineData("ftp")]
    [InlineData("ftps")]
    public async Task Wrong_ftp_password_is_a_permanent_530_without_the_password(string kind)
    {
        const string wrong = "Wrong-Pa55word-xyz";

        var error = await Assert.ThrowsAsync<FtpException>(() =>
            Delivery().DeliverAsync(new MemoryStream("x"u8.ToArray()), "changes.csv", Target(kind, wrong), CancellationToken.None));

        Assert.Equal(530, error.ReplyCode);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.False(DeliveryRetry.IsTransient(error));
    }

    [FileServerFact]
    public async Task Wrong_sftp_password_is_permanent_without_the_password()
    {
        const string wrong = "Wrong-Pa55word-xyz";

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(new MemoryStream("x"u8.ToArray()), "changes.csv", Target("sftp", wrong), CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
    }

    [FileServerFact]
    public async Task Sftp_delivers_when_the_pinned_host_key_matches_and_fails_permanently_when_it_does_not()
    {
        var pinned = Target("sftp") with { HostKey = ServerHostKey() };
        await Delivery().DeliverAsync(new MemoryStream("x"u8.ToArray()), "pinned.csv", pinned, CancellationToken.None);
        Assert.Equal("x"u8.ToArray(), await File.ReadAllBytesAsync(OnDisk("pinned.csv")));

        const string other = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
        var error = await Assert.ThrowsAsync<DeliveryException>(() => Delivery().DeliverAsync(
            new MemoryStream("y"u8.ToArray()), "other.csv", Target("sftp") with { HostKey = other }, CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Equal($"SFTP server 127.0.0.1:{Servers.SftpPort}: host key {ServerHostKey()} does not match ftp_settings.host_key {other}", error.Message);
        Assert.False(File.Exists(OnDisk("other.csv")));
    }

    /// <summary>The test sshd's key fingerprint as ssh-keygen -l prints it, from the start script's settings or its key file.</summary>
    private static string ServerHostKey()
    {
        if (Environment.GetEnvironmentVariable("VELVET_TEST_SFTP_HOST_KEY") is { Length: > 0 } printed)
        {
            return printed;
        }

        var folder = Environment.GetEnvironmentVariable("VELVET_FILE_SERVERS_DIR") is { Length: > 0 } dir ? dir : "/tmp/velvet-file-servers";
        var blob = Convert.FromBase64String(File.ReadAllText(Path.Combine(folder, "ssh_host_ed25519_key.pub")).Split(' ')[1]);
        return "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(blob)).TrimEnd('=');
    }

    [FileServerFact]
    public async Task Self_signed_certificate_is_refused_unless_the_target_accepts_any()
    {
        var error = await Assert.ThrowsAsync<FtpException>(() => Delivery().DeliverAsync(
            new MemoryStream("x"u8.ToArray()), "changes.csv", Target("ftps", acceptAnyCertificate: false), CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.False(Directory.Exists(OnDisk()));
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("sftp")]
    public async Task Server_not_listening_is_a_transient_error(string protocol)
    {
        var target = new DeliveryTarget(protocol, "127.0.0.1", FreePort(), "nobody", "irrelevant", "", false, false);

        var error = await Assert.ThrowsAnyAsync<DeliveryException>(() =>
            Delivery().DeliverAsync(new MemoryStream("x"u8.ToArray()), "changes.csv", target, CancellationToken.None));

        Assert.True(error.IsTransient);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (servers.Settings is { } settings && Directory.Exists(Path.Combine(settings.Root, _top)))
        {
            Directory.Delete(Path.Combine(settings.Root, _top), recursive: true);
        }
    }
}
