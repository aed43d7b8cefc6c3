using System.Globalization;

namespace Velvet.Api.Exports.Delivery;

// Assembles one reply from the lines of the control connection (RFC 959 4.2):
// "ddd text" is a whole reply; "ddd-text" opens a multi-line one that ends at
// the first line starting with the same code and a space. Lines in between may
// look like anything, other codes included ("220 " indented, "230-..."), and
// only that exact terminator ends the reply.
internal sealed class FtpReplyParser
{
    private readonly List<string> _lines = [];
    private int _code = -1;

    public bool TryAddLine(string line, out FtpReply reply)
    {
        reply = default;
        if (_code < 0)
        {
            var code = ParseCode(line);
            if (line.Length == 3 || line[3] == ' ')
            {
                reply = new FtpReply(code, line.Length > 4 ? line[4..] : "");
                return true;
            }
            if (line[3] != '-')
            {
                throw new FormatException($"Malformed FTP reply line '{line}'.");
            }
            _code = code;
            _lines.Add(line[4..]);
            return false;
        }

        var prefix = _code.ToString(CultureInfo.InvariantCulture);
        if (line.StartsWith(prefix, StringComparison.Ordinal) && (line.Length == 3 || line[3] == ' '))
        {
            _lines.Add(line.Length > 4 ? line[4..] : "");
            reply = new FtpReply(_code, string.Join('\n', _lines));
            _lines.Clear();
            _code = -1;
            return true;
        }
        // Many servers repeat "ddd-" on every line; the text reads better without.
        _lines.Add(line.StartsWith(prefix + "-", StringComparison.Ordinal) ? line[4..] : line);
        return false;
    }

    public static FtpReply Parse(IEnumerable<string> lines)
    {
        var parser = new FtpReplyParser();
        foreach (var line in lines)
        {
            if (parser.TryAddLine(line, out var reply))
            {
                return reply;
            }
        }
        throw new FormatException("The FTP reply ended before its last line.");
    }

    private static int ParseCode(string line)
    {
        if (line.Length < 3 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]) ||
            line[0] is < '1' or > '5')
        {
            throw new FormatException($"Malformed FTP reply line '{line}'.");
        }
        return int.Parse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
