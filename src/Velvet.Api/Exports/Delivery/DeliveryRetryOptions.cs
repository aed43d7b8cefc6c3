namespace Velvet.Api.Exports.Delivery;

internal sealed record DeliveryRetryOptions
{
    // Attempts in total, the first included.
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);
}
