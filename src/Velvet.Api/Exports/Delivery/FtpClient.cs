using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Velvet.Api.Exports.Delivery;

// A minimal FTP/FTPS client: enough to upload one file in passive mode.
// FtpWebRequest cannot do it: its FTPS sends the data unencrypted on .NET 10
// (dotnet/runtime#123135) and FluentFTP is not available to us.
// One instance is one control connection, used by one caller at a time.
internal sealed partial class FtpClient : IAsyncDisposable
{
    private const int MaxLineLength = 8192;
    private const int CopyBufferSize = 81920;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly string _host;
    private readonly int _port;
    private readonly FtpClientOptions _options;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[MaxLineLength];
    private Stream? _stream;
    private int _start;
    private int _end;
    private string? _password;
    private bool _broken;

    private FtpClient(string host, int port, FtpClientOptions options, ILogger logger)
    {
        _host = host;
        _port = port;
        _options = options;
        _logger = logger;
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    }

    // The address the control connection reached; PASV answers that point
    // somewhere unroutable are redirected here.
    public IPAddress RemoteAddress { get; private set; } = IPAddress.None;

    public static async Task<FtpClient> ConnectAsync(
        string host, int port, FtpClientOptions options, ILogger? logger, CancellationToken ct)
    {
        var client = new FtpClient(host, port, options, logger ?? NullLogger.Instance);
        try
        {
            await client.GuardAsync("connect", options.ConnectTimeout,
                t => client._socket.ConnectAsync(host, port, t).AsTask(), ct).ConfigureAwait(false);
            var remote = (IPEndPoint)client._socket.RemoteEndPoint!;
            client.RemoteAddress = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
            client._stream = new NetworkStream(client._socket, ownsSocket: false);

            // 120 "service ready in nnn minutes" precedes the real greeting.
            var greeting = await client.ReadReplyAsync("greeting", ct).ConfigureAwait(false);
            while (greeting.IsPreliminary)
            {
                greeting = await client.ReadReplyAsync("greeting", ct).ConfigureAwait(false);
            }
            client.EnsureCompletion("greeting", greeting);

            if (options.UseTls)
            {
                await client.StartTlsAsync(ct).ConfigureAwait(false);
            }
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task LoginAsync(string userName, string password, CancellationToken ct)
    {
        EnsureSingleLine(userName, "user name");
        EnsureSingleLine(password, "password");
        _password = password;

        var user = await CommandAsync($"USER {userName}", ct).ConfigureAwait(false);
        if (user.Code != 230)
        {
            if (user.Code != 331)
            {
                throw Failure("USER", user);
            }
            var pass = await CommandAsync($"PASS {password}", ct, display: "PASS ***").ConfigureAwait(false);
            if (pass.Code is not (230 or 202))
            {
                throw Failure("PASS", pass);
            }
        }

        if (_options.UseTls)
        {
            // RFC 4217: PBSZ 0 then PROT P, otherwise data connections stay clear.
            await ExpectCompletionAsync("PBSZ 0", ct).ConfigureAwait(false);
            await ExpectCompletionAsync("PROT P", ct).ConfigureAwait(false);
        }

        // Names are sent as UTF-8; servers that do not know the option answer
        // 5xx and keep working byte-transparently, which is fine too.
        await CommandAsync("OPTS UTF8 ON", ct).ConfigureAwait(false);
    }

    public Task SetBinaryAsync(CancellationToken ct) => ExpectCompletionAsync("TYPE I", ct);

    // Creates each missing segment and enters it, so the upload and rename can
    // use bare names. A 550 to MKD usually means "exists"; if it meant
    // anything else, the CWD that follows reports it.
    public async Task EnterFolderAsync(string folder, CancellationToken ct)
    {
        if (DeliveryNames.IsAbsolute(folder))
        {
            await ExpectCompletionAsync("CWD /", ct).ConfigureAwait(false);
        }
        foreach (var segment in DeliveryNames.FolderSegments(folder))
        {
            var mkd = await CommandAsync($"MKD {segment}", ct).ConfigureAwait(false);
            if (!mkd.IsCompletion && mkd.Code is not (550 or 521))
            {
                throw Failure("MKD", mkd);
            }
            await ExpectCompletionAsync($"CWD {segment}", ct).ConfigureAwait(false);
        }
    }

    public async Task StoreAsync(Stream content, string remoteName, CancellationToken ct)
    {
        EnsureSingleLine(remoteName, "file name");
        var pasv = await CommandAsync("PASV", ct).ConfigureAwait(false);
        if (pasv.Code != 227)
        {
            throw Failure("PASV", pasv);
        }
        IPEndPoint announced;
        try
        {
            announced = FtpPassive.ParseEndpoint(pasv.Text);
        }
        catch (FormatException ex)
        {
            throw new FtpException($"FTP server {_host}:{_port}: {ex.Message}", pasv.Code, isTransient: false, ex);
        }
        var endpoint = FtpPassive.ChooseDataEndpoint(announced, RemoteAddress);
        if (!endpoint.Equals(announced))
        {
            _logger.LogDebug("FTP {Host}: PASV announced {Announced}, connecting to {Endpoint}", _host, announced, endpoint);
        }

        using var dataSocket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await GuardAsync("data connection", _options.ConnectTimeout,
            t => dataSocket.ConnectAsync(endpoint, t).AsTask(), ct).ConfigureAwait(false);
        Stream data = new NetworkStream(dataSocket, ownsSocket: false);
        try
        {
            var stor = await CommandAsync($"STOR {remoteName}", ct).ConfigureAwait(false);
            if (!stor.IsPreliminary)
            {
                throw Failure("STOR", stor);
            }
            if (_options.UseTls)
            {
                var ssl = new SslStream(data, leaveInnerStreamOpen: false);
                data = ssl;
                await GuardAsync("TLS handshake on the data connection", _options.ReplyTimeout,
                    t => ssl.AuthenticateAsClientAsync(TlsOptions(), t), ct).ConfigureAwait(false);
            }
            await CopyAsync(content, data, ct).ConfigureAwait(false);
            await CloseDataAsync(data, dataSocket, ct).ConfigureAwait(false);
        }
        finally
        {
            await data.DisposeAsync().ConfigureAwait(false);
        }

        var done = await ReadReplyAsync("STOR", ct).ConfigureAwait(false);
        EnsureCompletion("STOR", done);
    }

    public async Task RenameAsync(string from, string to, CancellationToken ct)
    {
        EnsureSingleLine(from, "file name");
        EnsureSingleLine(to, "file name");
        var rnfr = await CommandAsync($"RNFR {from}", ct).ConfigureAwait(false);
        if (rnfr.Code != 350)
        {
            throw Failure("RNFR", rnfr);
        }
        await ExpectCompletionAsync($"RNTO {to}", ct).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        EnsureSingleLine(name, "file name");
        await ExpectCompletionAsync($"DELE {name}", ct).ConfigureAwait(false);
    }

    // Best effort: the file is already in place when this runs.
    public async Task QuitAsync(CancellationToken ct)
    {
        if (_broken)
        {
            return;
        }
        try
        {
            await CommandAsync("QUIT", ct).ConfigureAwait(false);
        }
        catch (FtpException ex)
        {
            _logger.LogDebug(ex, "FTP {Host}: QUIT failed", _host);
        }
    }

    // Whether commands can still be sent (no timeout or broken connection).
    public bool IsUsable => !_broken && _stream is not null;

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        _socket.Dispose();
    }

    private async Task StartTlsAsync(CancellationToken ct)
    {
        var auth = await CommandAsync("AUTH TLS", ct).ConfigureAwait(false);
        if (auth.Code != 234)
        {
            throw Failure("AUTH TLS", auth);
        }
        if (_start != _end)
        {
            // Anything after 234 and before the handshake would be read as
            // plain text by us and as TLS by nobody: a broken or hostile server.
            throw new FtpException($"FTP server {_host}:{_port} sent data before the TLS handshake.", null, isTransient: false);
        }
        var ssl = new SslStream(_stream!, leaveInnerStreamOpen: false);
        _stream = ssl;
        await GuardAsync("TLS handshake", _options.ReplyTimeout,
            t => ssl.AuthenticateAsClientAsync(TlsOptions(), t), ct).ConfigureAwait(false);
    }

    // The data connections use the same target host as the control session,
    // which lets .NET resume the TLS session where the server expects it.
    private SslClientAuthenticationOptions TlsOptions() => new()
    {
        TargetHost = _host,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = _options.CertificateValidation,
    };

    private async Task CopyAsync(Stream content, Stream data, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (true)
            {
                var read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                await GuardAsync("upload", _options.ReplyTimeout,
                    t => data.WriteAsync(buffer.AsMemory(0, read), t).AsTask(), ct).ConfigureAwait(false);
            }
            await GuardAsync("upload", _options.ReplyTimeout, data.FlushAsync, ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // End of file is the end of the connection. With TLS 1.3 a plain close
    // makes vsftpd reset and truncate the file: send close_notify, half-close,
    // and read until the server closes too; the 226 that follows is the verdict.
    private async Task CloseDataAsync(Stream data, Socket dataSocket, CancellationToken ct)
    {
        if (data is SslStream ssl)
        {
            await GuardAsync("TLS shutdown", _options.ReplyTimeout,
                t => ssl.ShutdownAsync().WaitAsync(t), ct).ConfigureAwait(false);
        }
        dataSocket.Shutdown(SocketShutdown.Send);
        try
        {
            await GuardAsync("closing the data connection", _options.ReplyTimeout, async t =>
            {
                var sink = new byte[1024];
                while (await data.ReadAsync(sink, t).ConfigureAwait(false) > 0)
                {
                }
            }, ct).ConfigureAwait(false);
        }
        catch (FtpException ex) when (ex.InnerException is IOException or SocketException)
        {
            // The server may reset the data connection instead of closing it;
            // the control connection is unaffected (the guard marked it broken
            // by default) and the reply that follows tells whether the file
            // arrived whole.
            _broken = false;
        }
    }
}
