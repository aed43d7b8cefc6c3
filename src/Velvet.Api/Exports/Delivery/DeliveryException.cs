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

internal sealed class FtpException : DeliveryException
{
    public FtpException(string message, int? replyCode, bool isTransient, Exception? innerException = null)
        : base(message, isTransient, innerException) => ReplyCode = replyCode;

    // Null when the failure was not an FTP reply (timeout, reset, TLS).
    public int? ReplyCode { get; }

    // RFC 959: 4yz is "transient negative completion", 5yz "permanent".
    public static bool IsTransientCode(int code) => code is >= 400 and < 500;
}
