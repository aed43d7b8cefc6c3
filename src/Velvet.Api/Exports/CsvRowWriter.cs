using System.Buffers;
using System.Text;

namespace Velvet.Api.Exports;

/// <summary>
/// RFC 4180 output in UTF-8 with as little work per cell as possible: cells are copied into one byte buffer,
/// quoted only when they hold the delimiter, a quote or a line break or start with '#' (quotes doubled), rows end
/// with CRLF, and the buffer goes to the sink in large chunks. A cell arrives either as chars or, straight from the
/// database driver, as UTF-8 bytes (no string per cell); numbers, dates and times are formatted into the buffer.
/// </summary>
internal sealed class CsvRowWriter
{
    private const int FlushAt = 64 * 1024;

    private static readonly SearchValues<char> Breaks = SearchValues.Create("\"\r\n");
    private static readonly SearchValues<byte> ByteBreaks = SearchValues.Create("\"\r\n"u8);

    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _sink;
    private readonly char _delimiter;
    private readonly byte[] _delimiterUtf8;
    private readonly SearchValues<byte>? _byteSpecial;
    private byte[] _buffer = new byte[FlushAt + 8192];
    private int _length;
    private bool _inRow;

    private CsvRowWriter(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, char delimiter)
    {
        _sink = sink;
        _delimiter = delimiter;
        _delimiterUtf8 = Encoding.UTF8.GetBytes([delimiter]);
        // An ASCII delimiter (the usual case) is one byte and joins the vectorised search; another is searched as its UTF-8 sequence.
        _byteSpecial = _delimiterUtf8.Length == 1 ? SearchValues.Create([_delimiterUtf8[0], (byte)'"', (byte)'\r', (byte)'\n']) : null;
    }

    /// <summary>UTF-8 without a byte order mark into <paramref name="output"/>.</summary>
    public static CsvRowWriter For(Stream output, char delimiter) => new(output.WriteAsync, delimiter);

    /// <summary>The same text into a <see cref="TextWriter"/> (tests, small outputs).</summary>
    public static CsvRowWriter For(TextWriter output, char delimiter)
    {
        var decoder = new UTF8Encoding(false).GetDecoder();
        return new CsvRowWriter(async (bytes, ct) =>
        {
            var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            var count = decoder.GetChars(bytes.Span, chars, flush: false);
            await output.WriteAsync(chars.AsMemory(0, count), ct).ConfigureAwait(false);
        }, delimiter);
    }

    /// <summary>True when the buffer should go to the sink (<see cref="FlushAsync"/>) before the next row.</summary>
    public bool Full => _length >= FlushAt;

    /// <summary>
    /// One cell. With <paramref name="neutralise"/>, a value a spreadsheet would run as a formula gets a leading
    /// apostrophe (see <see cref="ChangesCsv.Neutralise"/>), inside the quotes when it needs them.
    /// </summary>
    public void Cell(ReadOnlySpan<char> value, bool neutralise)
    {
        Separate();
        var prefix = neutralise && ChangesCsv.IsFormula(value);
        // A leading '#' is quoted too, as Sylvan's writer (the first version of this file) did: some readers take it for a comment.
        var quote = value.IndexOfAny(Breaks) >= 0 || value.Contains(_delimiter) || value.StartsWith('#');
        Open(quote, prefix);
        if (quote)
        {
            int at;
            while ((at = value.IndexOf('"')) >= 0)
            {
                AppendChars(value[..(at + 1)]);
                Append((byte)'"');
                value = value[(at + 1)..];
            }
        }

        AppendChars(value);
        Close(quote);
    }

    /// <summary>One cell given as UTF-8 bytes, with the same rules as <see cref="Cell(ReadOnlySpan{char}, bool)"/>.</summary>
    public void Cell(ReadOnlySpan<byte> utf8, bool neutralise)
    {
        Separate();
        var prefix = neutralise && ChangesCsv.IsFormula(utf8);
        var quote = (_byteSpecial is not null ? utf8.IndexOfAny(_byteSpecial) >= 0 : utf8.IndexOfAny(ByteBreaks) >= 0 || utf8.IndexOf(_delimiterUtf8) >= 0)
            || (utf8.Length > 0 && utf8[0] == (byte)'#');
        Open(quote, prefix);
        if (quote)
        {
            int at;
            while ((at = utf8.IndexOf((byte)'"')) >= 0)
            {
                Append(utf8[..(at + 1)]);
                Append((byte)'"');
                utf8 = utf8[(at + 1)..];
            }
        }

        Append(utf8);
        Close(quote);
    }

    /// <summary>A null value: an empty cell.</summary>
    public void Empty() => Separate();

    public void EndRow()
    {
        Append("\r\n"u8);
        _inRow = false;
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_length > 0)
        {
            await _sink(_buffer.AsMemory(0, _length), ct).ConfigureAwait(false);
            _length = 0;
        }
    }

    private void Open(bool quote, bool prefix)
    {
        if (quote)
        {
            Append((byte)'"');
        }

        if (prefix)
        {
            Append((byte)'\'');
        }
    }

    private void Close(bool quote)
    {
        if (quote)
        {
            Append((byte)'"');
        }
    }

    private void Separate()
    {
        if (_inRow)
        {
            Append(_delimiterUtf8);
        }

        _inRow = true;
    }

    private void Append(byte b)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = b;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void AppendChars(ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_length + max > _buffer.Length)
        {
            Grow(max);
        }

        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    // Only a row longer than the slack past FlushAt (a very long address, say) gets here.
    private void Grow(int needed) => Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + needed));
}
