using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Velvet.Api.Exports.Delivery;

// One attempt at putting a file on an FTP or explicit-FTPS server: passive
// mode, binary, folders created, uploaded under a temporary name and renamed
// when complete so the consumer never picks up half a file.
internal sealed class FtpDelivery(FtpClientOptions options, ILogger<FtpDelivery> logger) : IFileDelivery
{
    public async Task DeliverAsync(Stream content, string fileName, DeliveryTarget target, CancellationToken ct)
    {
        DeliveryNames.EnsureValidFileName(fileName);
        // AcceptAnyCertificate is an opt-in per target, for servers with
        // self-signed certificates the customer cannot change; the default validates.
#pragma warning disable CA5359 // Deliberate, see above.
        var clientOptions = options with
        {
            UseTls = target.UseTls,
            CertificateValidation = target.AcceptAnyCertificate ? AcceptAnyCertificate : options.CertificateValidation,
        };
#pragma warning restore CA5359

        var client = await FtpClient.ConnectAsync(target.Host, target.Port, clientOptions, logger, ct).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            await client.LoginAsync(target.UserName, target.Password, ct).ConfigureAwait(false);
            await client.SetBinaryAsync(ct).ConfigureAwait(false);
            await client.EnterFolderAsync(target.Folder, ct).ConfigureAwait(false);

            var temporaryName = DeliveryNames.TemporaryName(fileName);
            try
            {
                await client.StoreAsync(content, temporaryName, ct).ConfigureAwait(false);
            }
            catch (FtpException) when (client.IsUsable)
            {
                await TryDeleteAsync(client, temporaryName).ConfigureAwait(false);
                throw;
            }
            await client.RenameAsync(temporaryName, fileName, ct).ConfigureAwait(false);
            await client.QuitAsync(ct).ConfigureAwait(false);
        }
        logger.LogInformation("Delivered {FileName} to ftp{Tls}://{Host}:{Port}/{Folder}",
            fileName, target.UseTls ? "s" : "", target.Host, target.Port, target.Folder);
    }

    // Leftover partial files are harmless (consumers ignore the suffix) but
    // untidy; a failed clean-up must not hide the original error.
    private async Task TryDeleteAsync(FtpClient client, string temporaryName)
    {
        try
        {
            using var cleanup = new CancellationTokenSource(options.ReplyTimeout);
            await client.DeleteAsync(temporaryName, cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FtpException or OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not remove the partial upload {TemporaryName}", temporaryName);
        }
    }

#pragma warning disable CA5359 // See DeliverAsync.
    private static bool AcceptAnyCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;
#pragma warning restore CA5359
}
