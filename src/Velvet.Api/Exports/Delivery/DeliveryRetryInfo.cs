namespace Velvet.Api.Exports.Delivery;

// A failed attempt that will be retried after Delay. The export job shows
// "ready" with Error as its message while this happens (SPEC 5).
internal sealed record DeliveryRetryInfo(int FailedAttempt, TimeSpan Delay, Exception Error);
