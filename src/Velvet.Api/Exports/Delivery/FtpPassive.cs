using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Velvet.Api.Exports.Delivery;

internal static partial class FtpPassive
{
    // "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)." — the parentheses are
    // optional in practice, so look for the six numbers anywhere.
    public static IPEndPoint ParseEndpoint(string replyText)
    {
        var match = SixNumbers().Match(replyText);
        if (!match.Success)
        {
            throw new FormatException($"No address in the PASV reply '{replyText}'.");
        }
        Span<byte> parts = stackalloc byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (!byte.TryParse(match.Groups[i + 1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out parts[i]))
            {
                throw new FormatException($"Bad number in the PASV reply '{replyText}'.");
            }
        }
        var port = (parts[4] << 8) | parts[5];
        if (port == 0)
        {
            throw new FormatException($"Port 0 in the PASV reply '{replyText}'.");
        }
        return new IPEndPoint(new IPAddress(parts[..4]), port);
    }

    // A server behind NAT often announces its inside address (10.x, 192.168.x)
    // or 0.0.0.0. Like FileZilla, connect to the address the control
    // connection reached instead: that one is known to be reachable.
    public static IPEndPoint ChooseDataEndpoint(IPEndPoint announced, IPAddress controlPeer)
    {
        var peer = controlPeer.IsIPv4MappedToIPv6 ? controlPeer.MapToIPv4() : controlPeer;
        return IsUnroutable(announced.Address) && !announced.Address.Equals(peer)
            ? new IPEndPoint(peer, announced.Port)
            : announced;
    }

    public static bool IsUnroutable(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal ||
                   address.IsIPv6UniqueLocal || address.Equals(IPAddress.IPv6Any);
        }
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return b[0] is 0 or 10 or 127
               || (b[0] == 169 && b[1] == 254)
               || (b[0] == 172 && b[1] is >= 16 and <= 31)
               || (b[0] == 192 && b[1] == 168)
               || (b[0] == 100 && b[1] is >= 64 and <= 127); // carrier-grade NAT
    }

    [GeneratedRegex(@"(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex SixNumbers();
}
