namespace Velvet.Api.Exports.Delivery;

internal sealed class FtpException : DeliveryException
{
    public FtpException(string message, int? replyCode, bool isTransient, Exception? innerException = null)
        : base(message, isTransient, innerException) => ReplyCode = replyCode;

    // Null when the failure was not an FTP reply (timeout, reset, TLS).
    public int? ReplyCode { get; }

    // RFC 959: 4yz is "transient negative completion", 5yz "permanent".
    public static bool IsTransientCode(int code) => code is >= 400 and < 500;
}
