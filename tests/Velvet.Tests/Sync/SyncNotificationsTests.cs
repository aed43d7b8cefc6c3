using Microsoft.Extensions.Logging.Abstractions;
using Velvet.Api.Sync;

namespace Velvet.Tests.Sync;

/// <summary>How a server process tells the others of its commits (PostgreSQL's NOTIFY is the send; here a stand-in).</summary>
public sealed class SyncNotificationsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Commits_made_while_the_others_are_being_told_get_one_more_send_and_none_is_skipped()
    {
        var signal = new SyncSignal();
        var sends = 0;
        var firstHeld = new TaskCompletionSource();
        var firstStarted = new TaskCompletionSource();
        var finished = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var loop = SyncNotifications.TellOthersAsync(signal, async ct =>
        {
            if (Interlocked.Increment(ref sends) == 1)
            {
                firstStarted.SetResult();
                await firstHeld.Task.WaitAsync(ct);
            }

            finished.Release();
        }, NullLogger.Instance, TimeSpan.FromMilliseconds(10), TimeSpan.Zero, stop.Token);

        // The send at start (start-up may have committed) is held open while three commits happen.
        await firstStarted.Task.WaitAsync(Patience);
        signal.Committed();
        signal.Committed();
        signal.Committed();
        firstHeld.SetResult();
        Assert.True(await finished.WaitAsync(Patience));
        Assert.True(await finished.WaitAsync(Patience), "the commits made during the first send were never told");
        await Task.Delay(200);
        Assert.Equal(2, Volatile.Read(ref sends));

        signal.Committed();
        Assert.True(await finished.WaitAsync(Patience));
        Assert.Equal(3, Volatile.Read(ref sends));

        await stop.CancelAsync();
        await StoppedAsync(loop);
    }

    [Fact]
    public async Task Commits_within_the_window_share_one_send()
    {
        var signal = new SyncSignal();
        var sends = 0;
        var sent = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var loop = SyncNotifications.TellOthersAsync(signal, _ =>
        {
            Interlocked.Increment(ref sends);
            sent.Release();
            return Task.CompletedTask;
        }, NullLogger.Instance, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(300), stop.Token);
        Assert.True(await sent.WaitAsync(Patience)); // the send at start

        signal.Committed();
        signal.Committed();
        signal.Committed();
        Assert.True(await sent.WaitAsync(Patience));
        await Task.Delay(600);
        Assert.Equal(2, Volatile.Read(ref sends));

        await stop.CancelAsync();
        await StoppedAsync(loop);
    }

    [Fact]
    public async Task A_send_that_fails_is_tried_again_until_it_goes_through()
    {
        var signal = new SyncSignal();
        var attempts = 0;
        var through = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var loop = SyncNotifications.TellOthersAsync(signal, _ =>
        {
            if (++attempts < 3)
            {
                throw new IOException("connection refused");
            }

            through.TrySetResult();
            return Task.CompletedTask;
        }, NullLogger.Instance, TimeSpan.FromMilliseconds(10), TimeSpan.Zero, stop.Token);

        await through.Task.WaitAsync(Patience);
        Assert.Equal(3, attempts);
        await stop.CancelAsync();
        await StoppedAsync(loop);
    }

    /// <summary>The loop ends once stopped (cancelled while waiting for the next commit, or between two).</summary>
    private static async Task StoppedAsync(Task loop)
    {
        try
        {
            await loop.WaitAsync(Patience);
        }
        catch (OperationCanceledException)
        {
            // Stopped while it waited: the usual way out.
        }
    }
}
