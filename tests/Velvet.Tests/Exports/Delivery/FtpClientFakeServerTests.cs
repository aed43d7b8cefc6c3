using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Velvet.Api.Exports.Delivery;

namespace Velvet.Tests.Exports.Delivery;

public class FtpClientFakeServerTests
{
    private static readonly FtpClientOptions Quick = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReplyTimeout = TimeSpan.FromSeconds(5),
    };

    private static FtpDelivery Delivery(FtpClientOptions? options = null) =>
        new(options ?? Quick, NullLogger<FtpDelivery>.Instance);

    private static DeliveryTarget Target(FakeFtpServer server, string folder = "out") =>
        new("ftp", "127.0.0.1", server.Port, "alice", "fake-Secret-9", folder, UseTls: false, AcceptAnyCertificate: false);

    private static MemoryStream Content(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Multi_line_replies_are_read_whole_and_the_conversation_stays_in_step()
    {
        await using var server = new FakeFtpServer
        {
            Greeting = _ => "220-Welcome to the fake\r\n220-Terms apply\r\n 220 indented is not the end\r\n220 Ready\r\n",
            Replies =
            {
                ["PASS"] = "230-Hello alice\r\n230-Your quota: plenty\r\n230 Logged in.\r\n",
                ["TYPE"] = "200-Switching\r\n200 Binary it is.\r\n",
            },
        };

        await Delivery().DeliverAsync(Content("user_id\n1\n"), "changes.csv", Target(server), CancellationToken.None);

        Assert.Equal("user_id\n1\n", Encoding.UTF8.GetString(server.Files["changes.csv"]));
        Assert.Single(server.Files);
        Assert.Contains("PASS ***", server.Commands);
        Assert.Equal("QUIT", server.Commands.Last());
    }

    [Fact]
    public async Task Server_busy_421_is_a_transient_error_with_its_code()
    {
        await using var server = new FakeFtpServer { Greeting = _ => "421 Too many connections.\r\n" };

        var error = await Assert.ThrowsAsync<FtpException>(() =>
            Delivery().DeliverAsync(Content("x"), "changes.csv", Target(server), CancellationToken.None));

        Assert.Equal(421, error.ReplyCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Login_refused_530_is_permanent_and_the_message_has_no_password()
    {
        await using var server = new FakeFtpServer { Replies = { ["PASS"] = "530 Login incorrect.\r\n" } };

        var error = await Assert.ThrowsAsync<FtpException>(() =>
            Delivery().DeliverAsync(Content("x"), "changes.csv", Target(server), CancellationToken.None));

        Assert.Equal(530, error.ReplyCode);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("fake-Secret-9", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_echoing_the_password_does_not_leak_it_into_the_error()
    {
        await using var server = new FakeFtpServer { Replies = { ["PASS"] = "530 Bad password fake-Secret-9\r\n" } };

        var error = await Assert.ThrowsAsync<FtpException>(() =>
            Delivery().DeliverAsync(Content("x"), "changes.csv", Target(server), CancellationToken.None));

        Assert.DoesNotContain("fake-Secret-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pasv_with_a_private_address_connects_to_the_control_address_instead()
    {
        await using var server = new FakeFtpServer { PasvAddress = "10,11,12,13" };

        await Delivery().DeliverAsync(Content("rewritten"), "changes.csv", Target(server), CancellationToken.None);

        Assert.Equal("rewritten", Encoding.UTF8.GetString(server.Files["changes.csv"]));
    }

    [Fact]
    public async Task Upload_goes_to_a_temporary_name_renamed_at_the_end_in_created_folders()
    {
        await using var server = new FakeFtpServer();

        await Delivery().DeliverAsync(Content("x"), "changes.csv", Target(server, "/exports/2026"), CancellationToken.None);

        var commands = server.Commands.ToList();
        var stor = Assert.Single(commands, c => c.StartsWith("STOR ", StringComparison.Ordinal));
        var temporary = stor["STOR ".Length..];
        Assert.StartsWith("changes.csv.", temporary, StringComparison.Ordinal);
        Assert.EndsWith(".part", temporary, StringComparison.Ordinal);
        Assert.Equal(
            ["USER alice", "PASS ***", "OPTS UTF8 ON", "TYPE I", "CWD /", "MKD exports", "CWD exports", "MKD 2026", "CWD 2026",
             "PASV", stor, $"RNFR {temporary}", "RNTO changes.csv", "QUIT"],
            commands);
        Assert.Equal(["changes.csv"], server.Files.Keys);
    }

    [Fact]
    public async Task Server_that_never_answers_times_out_as_transient()
    {
        await using var server = new FakeFtpServer { Greeting = _ => "" };

        var error = await Assert.ThrowsAsync<FtpException>(() =>
            Delivery(Quick with { ReplyTimeout = TimeSpan.FromMilliseconds(300) })
                .DeliverAsync(Content("x"), "changes.csv", Target(server), CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Null(error.ReplyCode);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_succeeds_after_a_first_attempt_answered_421()
    {
        await using var server = new FakeFtpServer
        {
            Greeting = n => n == 1 ? "421 Too many connections, try later.\r\n" : "220 Fake FTP\r\n",
        };
        var retries = new List<DeliveryRetryInfo>();
        var retry = new DeliveryRetry(new DeliveryRetryOptions
        {
            MaxAttempts = 3,
            BaseDelay = TimeSpan.FromMilliseconds(5),
            MaxDelay = TimeSpan.FromMilliseconds(20),
        });

        await retry.DeliverAsync(Delivery(), () => Content("second time lucky"), "changes.csv", Target(server), info =>
        {
            retries.Add(info);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(2, server.Connections);
        var only = Assert.Single(retries);
        Assert.Equal(1, only.FailedAttempt);
        Assert.Equal(421, Assert.IsType<FtpException>(only.Error).ReplyCode);
        Assert.Equal("second time lucky", Encoding.UTF8.GetString(server.Files["changes.csv"]));
    }
}
