using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;
using ConnectionInfo = Renci.SshNet.ConnectionInfo;

namespace Velvet.Api.Exports.Delivery;

// One attempt at putting a file on an SFTP server, with the same promises as
// FtpDelivery: folders created, temporary name, rename when complete.
// Host keys: a target with a pinned fingerprint connects only to a server presenting
// that key (a mismatch is permanent); without one any key is accepted and the
// fingerprint seen is logged so an operator can pin it (docs/exports-delivery.md).
internal sealed partial class SftpDelivery(SftpDeliveryOptions options, ILogger<SftpDelivery> logger) : IFileDelivery
{
    /// <summary>"SHA256:" and the unpadded base64 of the key's SHA-256, as <c>ssh-keygen -l</c> prints it.</summary>
    public static string Fingerprint(string sha256Base64) => "SHA256:" + sha256Base64.TrimEnd('=');

    public async Task DeliverAsync(Stream content, string fileName, DeliveryTarget target, CancellationToken ct)
    {
        DeliveryNames.EnsureValidFileName(fileName);
        var segments = DeliveryNames.FolderSegments(target.Folder);
        var connection = new ConnectionInfo(target.Host, target.Port, target.UserName,
            new PasswordAuthenticationMethod(target.UserName, target.Password))
        {
            Timeout = options.ConnectTimeout,
        };

        try
        {
            using var client = new SftpClient(connection);
            client.OperationTimeout = options.OperationTimeout;
            string? seen = null;
            client.HostKeyReceived += (_, e) =>
            {
                seen = Fingerprint(e.FingerPrintSHA256);
                e.CanTrust = target.HostKey is null || string.Equals(seen, target.HostKey, StringComparison.Ordinal);
            };
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connect.CancelAfter(options.ConnectTimeout);
                await client.ConnectAsync(connect.Token).ConfigureAwait(false);
            }
            catch (SshConnectionException ex) when (target.HostKey is not null && seen is not null && seen != target.HostKey)
            {
                // Another key is not going to turn into the pinned one on a retry: permanent.
                throw new DeliveryException(
                    $"SFTP server {target.Host}:{target.Port}: host key {seen} does not match ftp_settings.host_key {target.HostKey}",
                    isTransient: false, ex);
            }

            if (target.HostKey is null)
            {
                LogUnpinnedHostKey(logger, target.Host, target.Port, seen);
            }

            // Relative folders are relative to the login directory, as on FTP.
            var folder = DeliveryNames.IsAbsolute(target.Folder) ? "" : ".";
            foreach (var segment in segments)
            {
                folder = $"{folder}/{segment}";
                await EnsureDirectoryAsync(client, folder, ct).ConfigureAwait(false);
            }
            var prefix = folder.Length == 0 ? "/" : folder + "/";
            var temporaryPath = prefix + DeliveryNames.TemporaryName(fileName);
            var finalPath = prefix + fileName;

            try
            {
                await client.UploadFileAsync(content, temporaryPath, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SshException or IOException && client.IsConnected)
            {
                await TryDeleteAsync(client, temporaryPath).ConfigureAwait(false);
                throw;
            }
            await RenameOverAsync(client, temporaryPath, finalPath, ct).ConfigureAwait(false);
            client.Disconnect();
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new DeliveryException($"SFTP server {target.Host}:{target.Port}: timed out.", isTransient: true, ex);
        }
        catch (Exception ex) when (Classify(ex) is { } transient)
        {
            throw new DeliveryException(
                $"SFTP server {target.Host}:{target.Port}: {ex.Message}", transient, ex);
        }
        logger.LogInformation("Delivered {FileName} to sftp://{Host}:{Port}/{Folder}",
            fileName, target.Host, target.Port, target.Folder);
    }

    private static async Task EnsureDirectoryAsync(SftpClient client, string path, CancellationToken ct)
    {
        if (await client.ExistsAsync(path, ct).ConfigureAwait(false))
        {
            return;
        }
        try
        {
            await client.CreateDirectoryAsync(path, ct).ConfigureAwait(false);
        }
        catch (SftpException)
        {
            // Created by a concurrent delivery between the check and ours?
            if (!await client.ExistsAsync(path, ct).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    // Plain SFTP v3 rename refuses to replace a file; a retried delivery may
    // find its own earlier copy there. OpenSSH's posix-rename replaces it
    // atomically; elsewhere fall back to delete-then-rename.
    private static async Task RenameOverAsync(SftpClient client, string from, string to, CancellationToken ct)
    {
        if (!await client.ExistsAsync(to, ct).ConfigureAwait(false))
        {
            await client.RenameFileAsync(from, to, ct).ConfigureAwait(false);
            return;
        }
        try
        {
            await Task.Run(() => client.RenameFile(from, to, isPosix: true), ct).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            await client.DeleteFileAsync(to, ct).ConfigureAwait(false);
            await client.RenameFileAsync(from, to, ct).ConfigureAwait(false);
        }
    }

    private async Task TryDeleteAsync(SftpClient client, string path)
    {
        try
        {
            using var cleanup = new CancellationTokenSource(options.OperationTimeout);
            await client.DeleteFileAsync(path, cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshException or IOException or OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not remove the partial upload {Path}", path);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "SFTP server {Host}:{Port} presented host key {Fingerprint}, accepted unpinned; pin it with ftp_settings.host_key")]
    private static partial void LogUnpinnedHostKey(ILogger logger, string host, int port, string? fingerprint);

    // True: transient, false: permanent, null: not ours to translate (bugs). SSH.NET's messages never contain the password.
    private static bool? Classify(Exception ex) => ex switch
    {
        DeliveryException => null,
        SshAuthenticationException => false,
        SftpPermissionDeniedException or SftpPathNotFoundException => false,
        SftpException sftp => sftp.StatusCode is StatusCode.ConnectionLost or StatusCode.NoConnection,
        SshConnectionException or SshOperationTimeoutException or ProxyException => true,
        SocketException socket => DeliveryRetry.IsTransient(socket),
        IOException => true,
        SshException => false,
        _ => null,
    };
}
