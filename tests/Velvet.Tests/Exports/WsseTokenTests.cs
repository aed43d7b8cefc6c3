using Velvet.Api.Exports;

namespace Velvet.Tests.Exports;

public sealed class WsseTokenTests
{
    // Computed independently: base64(hex(sha1("d36e…" + "2011-09-06T12:00:00+02:00" + "demo-secret"))).
    private const string KnownDigest = "NWQ4ZjczOWExZDA5NzcwMmNkOGQ5YmQwZGZjNDY3M2QyYWIwZTdmNg==";

    [Fact]
    public void Digest_is_the_base64_of_the_lowercase_hex_text_of_sha1()
    {
        Assert.Equal(KnownDigest, WsseToken.Digest("d36e316282959a9ed4c89851497a717f", "2011-09-06T12:00:00+02:00", "demo-secret"));
    }

    [Theory]
    [InlineData("UsernameToken Username=\"demo\", PasswordDigest=\"" + KnownDigest + "\", Nonce=\"d36e316282959a9ed4c89851497a717f\", Created=\"2011-09-06T12:00:00+02:00\"")]
    [InlineData("Username=\"demo\",PasswordDigest=\"" + KnownDigest + "\",Nonce=\"d36e316282959a9ed4c89851497a717f\",Created=\"2011-09-06T12:00:00+02:00\"")]
    [InlineData("usernametoken username = \"demo\" passworddigest=\"" + KnownDigest + "\"  nonce=\"d36e316282959a9ed4c89851497a717f\" created=\"2011-09-06T12:00:00+02:00\"")]
    [InlineData("UsernameToken Nonce=\"d36e316282959a9ed4c89851497a717f\", Created=2011-09-06T12:00:00+02:00, Username=demo, PasswordDigest=\"" + KnownDigest + "\"")]
    public void Parsing_is_lenient_about_prefix_separators_case_and_order(string header)
    {
        var token = WsseToken.Parse(header);

        Assert.NotNull(token);
        Assert.Equal("demo", token.UserName);
        Assert.Equal("d36e316282959a9ed4c89851497a717f", token.Nonce);
        Assert.True(token.DigestMatches("demo-secret"));
        Assert.False(token.DigestMatches("other-secret"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("UsernameToken Username=\"demo\", Nonce=\"n\", Created=\"2011-09-06T12:00:00Z\"")]
    [InlineData("Basic ZGVtbzpzZWNyZXQ=")]
    public void A_header_without_all_four_pairs_is_refused(string header) => Assert.Null(WsseToken.Parse(header));

    [Fact]
    public void Created_must_be_within_five_minutes_either_way_in_any_offset()
    {
        var now = new DateTimeOffset(2011, 9, 6, 10, 0, 0, TimeSpan.Zero);
        Assert.True(new WsseToken("u", "d", "n", "2011-09-06T12:04:59+02:00").IsFresh(now, out _));
        Assert.True(new WsseToken("u", "d", "n", "2011-09-06T09:55:00Z").IsFresh(now, out _));
        Assert.False(new WsseToken("u", "d", "n", "2011-09-06T09:54:59Z").IsFresh(now, out _));
        Assert.False(new WsseToken("u", "d", "n", "2011-09-06T10:05:01Z").IsFresh(now, out _));
        Assert.False(new WsseToken("u", "d", "n", "yesterday").IsFresh(now, out _));
    }
}
