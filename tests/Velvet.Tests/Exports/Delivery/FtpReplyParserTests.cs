using Velvet.Api.Exports.Delivery;

namespace Velvet.Tests.Exports.Delivery;

public class FtpReplyParserTests
{
    [Fact]
    public void Single_line_reply_is_complete_at_once()
    {
        var reply = FtpReplyParser.Parse(["230 Login successful."]);

        Assert.Equal(new FtpReply(230, "Login successful."), reply);
    }

    [Fact]
    public void Bare_code_is_a_reply_with_empty_text()
    {
        Assert.Equal(new FtpReply(200, ""), FtpReplyParser.Parse(["200"]));
    }

    [Fact]
    public void Multi_line_reply_continues_until_the_same_code_and_a_space()
    {
        var parser = new FtpReplyParser();

        Assert.False(parser.TryAddLine("220-Welcome to Velvet", out _));
        Assert.False(parser.TryAddLine("220-Second line", out _));
        Assert.False(parser.TryAddLine("   220 indented, so not the end", out _));
        Assert.False(parser.TryAddLine("230 another code, so not the end", out _));
        Assert.False(parser.TryAddLine("220-still going", out _));
        Assert.True(parser.TryAddLine("220 Ready", out var reply));

        Assert.Equal(220, reply.Code);
        Assert.Equal("Welcome to Velvet\nSecond line\n   220 indented, so not the end\n230 another code, so not the end\nstill going\nReady", reply.Text);
    }

    [Fact]
    public void Parser_starts_fresh_after_a_complete_reply()
    {
        var parser = new FtpReplyParser();
        parser.TryAddLine("211-Features:", out _);
        parser.TryAddLine(" UTF8", out _);
        Assert.True(parser.TryAddLine("211 End", out _));

        Assert.True(parser.TryAddLine("200 OK", out var next));
        Assert.Equal(new FtpReply(200, "OK"), next);
    }

    [Theory]
    [InlineData("")]
    [InlineData("22")]
    [InlineData("abc hello")]
    [InlineData("220Welcome")]
    [InlineData("620 not a reply class")]
    public void Malformed_first_line_is_rejected(string line)
    {
        Assert.Throws<FormatException>(() => FtpReplyParser.Parse([line]));
    }

    [Fact]
    public void Reply_cut_before_its_last_line_is_rejected()
    {
        Assert.Throws<FormatException>(() => FtpReplyParser.Parse(["220-Hello", "220-still"]));
    }

    [Theory]
    [InlineData(421, true)]
    [InlineData(425, true)]
    [InlineData(450, true)]
    [InlineData(530, false)]
    [InlineData(550, false)]
    [InlineData(553, false)]
    public void Four_hundreds_are_transient_and_five_hundreds_permanent(int code, bool transient)
    {
        Assert.Equal(transient, FtpException.IsTransientCode(code));
    }
}
