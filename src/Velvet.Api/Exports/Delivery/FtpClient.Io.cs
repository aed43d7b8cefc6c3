using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Velvet.Api.Exports.Delivery;

// The control connection's plumbing: commands, reply reading, and the guard
// that turns timeouts and network failures into classified FtpExceptions.
internal sealed partial class FtpClient
{
    private async Task ExpectCompletionAsync(string command, CancellationToken ct)
    {
        var reply = await CommandAsync(command, ct).ConfigureAwait(false);
        EnsureCompletion(Verb(command), reply);
    }

    private async Task<FtpReply> CommandAsync(string command, CancellationToken ct, string? display = null)
    {
        display ??= command;
        _logger.LogDebug("FTP {Host} > {Command}", _host, display);
        var bytes = Utf8.GetBytes(command + "\r\n");
        await GuardAsync($"sending {Verb(display)}", _options.ReplyTimeout, async t =>
        {
            await _stream!.WriteAsync(bytes, t).ConfigureAwait(false);
            await _stream.FlushAsync(t).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return await ReadReplyAsync(Verb(display), ct).ConfigureAwait(false);
    }

    private async Task<FtpReply> ReadReplyAsync(string waitingFor, CancellationToken ct)
    {
        var parser = new FtpReplyParser();
        var reply = await GuardAsync($"waiting for the reply to {waitingFor}", _options.ReplyTimeout, async t =>
        {
            while (true)
            {
                // A malformed line throws FormatException, which the guard turns into a permanent FtpException.
                var line = await ReadLineAsync(t).ConfigureAwait(false);
                if (parser.TryAddLine(line, out var complete))
                {
                    return complete;
                }
            }
        }, ct).ConfigureAwait(false);
        _logger.LogDebug("FTP {Host} < {Reply}", _host, Scrub(reply.ToString()));
        return reply;
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == (byte)'\r')
                {
                    length--;
                }
                var line = Utf8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                throw new FormatException($"A reply line is longer than {MaxLineLength} bytes.");
            }
            var read = await _stream!.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The server closed the control connection.");
            }
            _end += read;
        }
    }

    private Task<bool> GuardAsync(string what, TimeSpan timeout, Func<CancellationToken, Task> operation, CancellationToken ct) =>
        GuardAsync(what, timeout, async t =>
        {
            await operation(t).ConfigureAwait(false);
            return true;
        }, ct);

    // Every network step runs here: one timeout per step, and every way the
    // network can fail becomes an FtpException classified for DeliveryRetry.
    private async Task<T> GuardAsync<T>(string what, TimeSpan timeout, Func<CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await operation(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            _broken = true;
            throw new FtpException(
                $"FTP server {_host}:{_port}: timed out after {timeout.TotalSeconds:0.###} s {what}.", null, isTransient: true, ex);
        }
        catch (FormatException ex)
        {
            _broken = true;
            throw new FtpException($"FTP server {_host}:{_port}: {Scrub(ex.Message)}", null, isTransient: false, ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException)
        {
            _broken = true;
            throw Translate(ex, what);
        }
    }

    private FtpException Translate(Exception ex, string what)
    {
        var socketError = ex as SocketException ?? ex.InnerException as SocketException;
        var authentication = ex as AuthenticationException ?? ex.InnerException as AuthenticationException;
        var transient = authentication is null && (socketError is null || DeliveryRetry.IsTransient(socketError));
        return new FtpException($"FTP server {_host}:{_port}: {what} failed: {Scrub(ex.Message)}", null, transient, ex);
    }

    private FtpException Failure(string command, FtpReply reply)
    {
        // Only 4xx invites a retry; an unexpected 1xx-3xx is a protocol
        // mismatch that will not go away either.
        var transient = FtpException.IsTransientCode(reply.Code);
        return new FtpException(
            $"FTP server {_host}:{_port} answered {reply.Code} to {command}: {Scrub(reply.Text)}", reply.Code, transient);
    }

    private void EnsureCompletion(string command, FtpReply reply)
    {
        if (!reply.IsCompletion)
        {
            throw Failure(command, reply);
        }
    }

    // Servers do not echo passwords, but a message that reaches the job's
    // error column must not carry it even if one does.
    private string Scrub(string text) =>
        string.IsNullOrEmpty(_password) ? text : text.Replace(_password, "***", StringComparison.Ordinal);

    private static string Verb(string command)
    {
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        return command.StartsWith("AUTH ", StringComparison.Ordinal) || space < 0 ? command : command[..space];
    }

    private static void EnsureSingleLine(string value, string what)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new FtpException($"The {what} contains a line break.", null, isTransient: false);
        }
    }
}
