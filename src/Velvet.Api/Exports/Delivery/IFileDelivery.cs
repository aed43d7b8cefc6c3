namespace Velvet.Api.Exports.Delivery;

// What the export worker calls once the CSV is built. Implementations throw
// DeliveryException (IsTransient says whether a retry can help); DeliveryRetry
// owns the retrying, so an implementation makes exactly one attempt.
internal interface IFileDelivery
{
    Task DeliverAsync(Stream content, string fileName, DeliveryTarget target, CancellationToken ct);
}
