using System.Runtime.CompilerServices;
using Velvet.Api.Exports;

namespace Velvet.Tests.Exports;

public sealed class ChangesCsvTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+49 30 123", "'+49 30 123")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void Cells_a_spreadsheet_would_run_are_prefixed_with_an_apostrophe(string value, string expected) =>
        Assert.Equal(expected, ChangesCsv.Neutralise(value));

    [Fact]
    public void Quoting_follows_rfc_4180_with_crlf_line_ends()
    {
        var csv = Write(["user_id", "a", "b"], ',', true,
            ["1", "plain", "with,comma"],
            ["2", "say \"hi\"", "two\nlines"],
            ["3", null, "Zoë 東京"]);

        Assert.Equal("user_id,a,b\r\n1,plain,\"with,comma\"\r\n2,\"say \"\"hi\"\"\",\"two\nlines\"\r\n3,,Zoë 東京\r\n", csv);
    }

    [Fact]
    public void The_delimiter_is_used_and_quoted_when_it_appears_in_a_value()
    {
        var csv = Write(["user_id", "a"], ';', false, ["1", "x;y"], ["2", "x,y"]);

        Assert.Equal("1;\"x;y\"\r\n2;x,y\r\n", csv);
    }

    private static string Write(string[] header, char delimiter, bool writeHeader, params string?[][] rows)
    {
        var output = new StringWriter();
        var count = ChangesCsv.WriteAsync(output, header, delimiter, writeHeader, Rows(rows), default).GetAwaiter().GetResult();
        Assert.Equal(rows.Length, count);
        return output.ToString();
    }

    private static async IAsyncEnumerable<string?[]> Rows(string?[][] rows, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var row in rows)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            yield return row;
        }
    }
}
