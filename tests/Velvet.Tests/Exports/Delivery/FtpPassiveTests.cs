using System.Net;
using Velvet.Api.Exports.Delivery;

namespace Velvet.Tests.Exports.Delivery;

public class FtpPassiveTests
{
    [Theory]
    [InlineData("Entering Passive Mode (127,0,0,1,156,72).", "127.0.0.1", 40008)]
    [InlineData("Entering Passive Mode 203,0,113,9,4,1", "203.0.113.9", 1025)]
    [InlineData("=203, 0, 113, 9, 0, 21", "203.0.113.9", 21)]
    public void Pasv_reply_gives_address_and_port(string text, string address, int port)
    {
        var endpoint = FtpPassive.ParseEndpoint(text);

        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endpoint);
    }

    [Theory]
    [InlineData("Entering Passive Mode.")]
    [InlineData("Entering Passive Mode (127,0,0,1,156).")]
    [InlineData("Entering Passive Mode (127,0,0,256,1,1).")]
    [InlineData("Entering Passive Mode (127,0,0,1,0,0).")]
    public void Malformed_pasv_reply_is_rejected(string text)
    {
        Assert.Throws<FormatException>(() => FtpPassive.ParseEndpoint(text));
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.3.4")]
    [InlineData("172.31.255.1")]
    [InlineData("192.168.1.20")]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.1.1")]
    [InlineData("100.64.0.1")]
    public void Unroutable_announced_address_is_replaced_by_the_control_peer(string announced)
    {
        var chosen = FtpPassive.ChooseDataEndpoint(new IPEndPoint(IPAddress.Parse(announced), 40001), IPAddress.Parse("203.0.113.9"));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40001), chosen);
    }

    [Theory]
    [InlineData("203.0.113.10", "203.0.113.9")]
    [InlineData("172.32.0.1", "203.0.113.9")]
    [InlineData("192.168.1.20", "192.168.1.20")]
    public void Routable_or_matching_announced_address_is_kept(string announced, string peer)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(announced), 40001);

        Assert.Equal(endpoint, FtpPassive.ChooseDataEndpoint(endpoint, IPAddress.Parse(peer)));
    }

    [Fact]
    public void Ipv4_mapped_control_peer_is_unmapped()
    {
        var chosen = FtpPassive.ChooseDataEndpoint(
            new IPEndPoint(IPAddress.Parse("10.1.2.3"), 40001), IPAddress.Parse("203.0.113.9").MapToIPv6());

        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40001), chosen);
    }
}
