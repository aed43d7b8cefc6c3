using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace Velvet.Api.Exports.Delivery;

// Retries transient delivery failures with exponential backoff and jitter
// (so exports queued behind one outage do not all knock at once) and gives up
// at once on permanent ones: a wrong password stays wrong.
internal sealed class DeliveryRetry
{
    private readonly ResiliencePipeline _pipeline;

    public DeliveryRetry(DeliveryRetryOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        var builder = new ResiliencePipelineBuilder();
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                OnRetry = static async args =>
                {
                    if (args.Context.Properties.TryGetValue(OnRetryKey, out var onRetry) && onRetry is not null)
                    {
                        var error = args.Outcome.Exception!;
                        await onRetry(new DeliveryRetryInfo(args.AttemptNumber + 1, args.RetryDelay, error)).ConfigureAwait(false);
                    }
                },
            });
        }
        _pipeline = builder.Build();
    }

    private static readonly ResiliencePropertyKey<Func<DeliveryRetryInfo, ValueTask>?> OnRetryKey = new("velvet.on-retry");

    public async Task ExecuteAsync(
        Func<CancellationToken, Task> attempt, Func<DeliveryRetryInfo, ValueTask>? onRetry, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(OnRetryKey, onRetry);
        try
        {
            await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context, attempt).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // Each attempt needs the content from its first byte: openContent is
    // called once per attempt (File.OpenRead of the built export, typically).
    public Task DeliverAsync(
        IFileDelivery delivery, Func<Stream> openContent, string fileName, DeliveryTarget target,
        Func<DeliveryRetryInfo, ValueTask>? onRetry, CancellationToken ct) =>
        ExecuteAsync(async t =>
        {
            var content = openContent();
            await using (content.ConfigureAwait(false))
            {
                await delivery.DeliverAsync(content, fileName, target, t).ConfigureAwait(false);
            }
        }, onRetry, ct);

    // Deliveries throw DeliveryException; raw network exceptions are
    // classified too, in case one slips through an implementation.
    public static bool IsTransient(Exception error) => error switch
    {
        DeliveryException delivery => delivery.IsTransient,
        SocketException socket => IsTransient(socket),
        IOException or TimeoutException => true,
        _ => false,
    };

    // A name that does not resolve will not start resolving on a retry; every other socket failure
    // (refused, reset, unreachable, timed out) may go away. FtpClient and SftpDelivery classify by this too.
    public static bool IsTransient(SocketException error) =>
        error.SocketErrorCode is not (SocketError.HostNotFound or SocketError.NoData);
}
