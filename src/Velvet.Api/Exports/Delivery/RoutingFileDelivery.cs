namespace Velvet.Api.Exports.Delivery;

// The IFileDelivery the export worker holds: picks FTP or SFTP by the
// target's protocol, so the worker never switches on it.
internal sealed class RoutingFileDelivery(FtpDelivery ftp, SftpDelivery sftp) : IFileDelivery
{
    public Task DeliverAsync(Stream content, string fileName, DeliveryTarget target, CancellationToken ct) =>
        target.Protocol switch
        {
            var p when p.Equals(DeliveryTarget.Ftp, StringComparison.OrdinalIgnoreCase) => ftp.DeliverAsync(content, fileName, target, ct),
            var p when p.Equals(DeliveryTarget.Sftp, StringComparison.OrdinalIgnoreCase) => sftp.DeliverAsync(content, fileName, target, ct),
            _ => throw new DeliveryException($"Unknown delivery protocol '{target.Protocol}'.", isTransient: false),
        };
}
