namespace Velvet.Api.Exports.Delivery;

// The one failure type deliveries throw. IsTransient decides whether
// DeliveryRetry tries again: a busy or unreachable server may recover, a wrong
// password or a forbidden folder will not, and retrying those only delays the
// "error" status the user needs to see.
internal class DeliveryException : Exception
{
    public DeliveryException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException) => IsTransient = isTransient;

    public bool IsTransient { get; }
}
