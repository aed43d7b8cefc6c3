using System.Net.Sockets;
using Velvet.Api.Exports.Delivery;

namespace Velvet.Tests.Exports.Delivery;

public class DeliveryRetryTests
{
    private static readonly DeliveryRetryOptions Fast = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    [Fact]
    public async Task Transient_failures_are_retried_until_success_and_reported()
    {
        var attempts = 0;
        var reported = new List<DeliveryRetryInfo>();

        await new DeliveryRetry(Fast).ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 3
                ? throw new FtpException("421 busy", 421, isTransient: true)
                : Task.CompletedTask;
        }, info =>
        {
            reported.Add(info);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(3, attempts);
        Assert.Equal([1, 2], reported.Select(r => r.FailedAttempt));
        Assert.All(reported, r => Assert.Equal(421, Assert.IsType<FtpException>(r.Error).ReplyCode));
    }

    [Fact]
    public async Task Permanent_failure_is_not_retried()
    {
        var attempts = 0;
        var reported = 0;

        var error = await Assert.ThrowsAsync<FtpException>(() => new DeliveryRetry(Fast).ExecuteAsync(_ =>
        {
            attempts++;
            throw new FtpException("530 Login incorrect.", 530, isTransient: false);
        }, _ =>
        {
            reported++;
            return ValueTask.CompletedTask;
        }, CancellationToken.None));

        Assert.Equal(530, error.ReplyCode);
        Assert.Equal(1, attempts);
        Assert.Equal(0, reported);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_attempts_with_the_last_error()
    {
        var attempts = 0;

        var error = await Assert.ThrowsAsync<DeliveryException>(() => new DeliveryRetry(Fast).ExecuteAsync(_ =>
        {
            attempts++;
            throw new DeliveryException($"attempt {attempts}", isTransient: true);
        }, null, CancellationToken.None));

        Assert.Equal(4, attempts);
        Assert.Equal("attempt 4", error.Message);
    }

    [Fact]
    public async Task Each_attempt_gets_fresh_content()
    {
        var delivery = new FlakyDelivery(failures: 1);
        var target = new DeliveryTarget("ftp", "localhost", 21, "u", "p", "", UseTls: false, AcceptAnyCertificate: false);

        await new DeliveryRetry(Fast).DeliverAsync(
            delivery, () => new MemoryStream("abc"u8.ToArray()), "f.csv", target, null, CancellationToken.None);

        Assert.Equal(["abc", "abc"], delivery.Received);
    }

    [Fact]
    public async Task Cancellation_stops_retrying()
    {
        using var cts = new CancellationTokenSource();
        var retry = new DeliveryRetry(Fast with { BaseDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30) });

        var run = retry.ExecuteAsync(_ => throw new DeliveryException("down", isTransient: true), _ =>
        {
            cts.Cancel();
            return ValueTask.CompletedTask;
        }, cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, true)]
    [InlineData(SocketError.ConnectionReset, true)]
    [InlineData(SocketError.TimedOut, true)]
    [InlineData(SocketError.HostNotFound, false)]
    public void Raw_socket_errors_are_classified(SocketError error, bool transient)
    {
        Assert.Equal(transient, DeliveryRetry.IsTransient(new SocketException((int)error)));
    }

    [Fact]
    public void Unknown_exceptions_are_not_retried()
    {
        Assert.False(DeliveryRetry.IsTransient(new InvalidOperationException()));
    }

    private sealed class FlakyDelivery(int failures) : IFileDelivery
    {
        public List<string> Received { get; } = [];

        public async Task DeliverAsync(Stream content, string fileName, DeliveryTarget target, CancellationToken ct)
        {
            using var reader = new StreamReader(content);
            Received.Add(await reader.ReadToEndAsync(ct));
            if (Received.Count <= failures)
            {
                throw new DeliveryException("connection reset", isTransient: true);
            }
        }
    }
}
