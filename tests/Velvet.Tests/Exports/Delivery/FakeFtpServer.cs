using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Velvet.Tests.Exports.Delivery;

// A scripted FTP server on 127.0.0.1 for what a real vsftpd will not do on
// demand: odd multi-line replies, 421 on the first connection, a PASV answer
// with a private address. Plain FTP only; one connection at a time.
internal sealed class FakeFtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public FakeFtpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    // Greeting for a connection (1-based number); the default is "220 Fake".
    public Func<int, string> Greeting { get; init; } = _ => "220 Fake FTP\r\n";

    // Replies overriding the defaults, by command verb.
    public Dictionary<string, string> Replies { get; init; } = [];

    // Address announced in the 227 reply; the data listener is on 127.0.0.1.
    public string PasvAddress { get; init; } = "127,0,0,1";

    public ConcurrentQueue<string> Commands { get; } = new();
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();
    public int Connections => _connections;

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var number = Interlocked.Increment(ref _connections);
                try
                {
                    await ServeAsync(client, number, _stop.Token);
                }
                catch (IOException)
                {
                    // The client went away; wait for the next one.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client, int number, CancellationToken ct)
    {
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        async Task Send(string text) => await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);

        var greeting = Greeting(number);
        await Send(greeting);
        if (greeting.StartsWith("421", StringComparison.Ordinal))
        {
            return;
        }

        string? pendingRename = null;
        TcpListener? data = null;
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var verb = space < 0 ? line : line[..space];
                var argument = space < 0 ? "" : line[(space + 1)..];
                Commands.Enqueue(verb == "PASS" ? "PASS ***" : line);

                if (Replies.TryGetValue(verb, out var scripted))
                {
                    await Send(scripted);
                    continue;
                }
                switch (verb)
                {
                    case "USER": await Send("331 Password please.\r\n"); break;
                    case "PASS": await Send("230 Logged in.\r\n"); break;
                    case "MKD": await Send("550 Create directory operation failed.\r\n"); break;
                    case "PASV":
                        data?.Stop();
                        data = new TcpListener(IPAddress.Loopback, 0);
                        data.Start();
                        var port = ((IPEndPoint)data.LocalEndpoint).Port;
                        await Send(string.Create(CultureInfo.InvariantCulture,
                            $"227 Entering Passive Mode ({PasvAddress},{port >> 8},{port & 255}).\r\n"));
                        break;
                    case "STOR":
                        if (data is null)
                        {
                            await Send("425 Use PASV first.\r\n");
                            break;
                        }
                        await Send("150 Ok to send data.\r\n");
                        using (var dataClient = await data.AcceptTcpClientAsync(ct))
                        using (var received = new MemoryStream())
                        {
                            await dataClient.GetStream().CopyToAsync(received, ct);
                            Files[argument] = received.ToArray();
                        }
                        data.Stop();
                        data = null;
                        await Send("226 Transfer complete.\r\n");
                        break;
                    case "RNFR":
                        pendingRename = argument;
                        await Send("350 Ready for RNTO.\r\n");
                        break;
                    case "RNTO":
                        if (pendingRename is not null && Files.TryRemove(pendingRename, out var content))
                        {
                            Files[argument] = content;
                        }
                        await Send("250 Rename successful.\r\n");
                        break;
                    case "DELE":
                        Files.TryRemove(argument, out _);
                        await Send("250 Deleted.\r\n");
                        break;
                    case "QUIT":
                        await Send("221 Goodbye.\r\n");
                        return;
                    default: await Send("200 OK.\r\n"); break;
                }
            }
        }
        finally
        {
            data?.Stop();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }
}
