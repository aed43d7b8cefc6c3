namespace Velvet.Tests.Infrastructure;

/// <summary>Real time plus an adjustable offset, so a test can move past an expiry without waiting.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>Sets this clock to another's time: two nodes whose clocks agree, as NTP keeps them.</summary>
    public void Match(TestClock other) => Interlocked.Exchange(ref _offsetTicks, Interlocked.Read(ref other._offsetTicks));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
