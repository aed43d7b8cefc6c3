using System.Net.Security;

namespace Velvet.Api.Exports.Delivery;

internal sealed record FtpClientOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    // Applies to every reply and to each chunk of a transfer, so a server that
    // stops answering fails the attempt instead of holding the worker.
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    // Explicit FTPS (RFC 4217): AUTH TLS on the control connection, PROT P so
    // the data connections are encrypted too.
    public bool UseTls { get; init; }

    // Null keeps .NET's default validation (trusted chain, matching name).
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }
}
