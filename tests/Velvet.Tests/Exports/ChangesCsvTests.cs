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

    [Fact]
    public void A_cell_starting_with_a_hash_is_quoted_so_no_reader_takes_it_for_a_comment()
    {
        var csv = Write(["user_id", "a", "b"], ',', false, ["1", "#1 guest", "a#b"]);

        Assert.Equal("1,\"#1 guest\",a#b\r\n", csv);
    }

    [Fact]
    public async Task A_neutralised_cell_that_needs_quotes_keeps_the_apostrophe_inside_them()
    {
        var output = new StringWriter();
        var csv = CsvRowWriter.For(output, ';');
        csv.Cell("=A1;B1", neutralise: true);
        csv.Cell("-\"x\"", neutralise: true);
        csv.Cell("=1", neutralise: false);
        csv.Empty();
        csv.EndRow();
        // The same cells as UTF-8 bytes, as the PostgreSQL export reads them.
        csv.Cell("=A1;B1"u8, neutralise: true);
        csv.Cell("-\"x\""u8, neutralise: true);
        csv.Cell("=1"u8, neutralise: false);
        csv.Empty();
        csv.EndRow();
        await csv.FlushAsync(default);

        Assert.Equal(string.Concat(Enumerable.Repeat("\"'=A1;B1\";\"'-\"\"x\"\"\";=1;\r\n", 2)), output.ToString());
    }

    [Fact]
    public void Rows_longer_than_the_buffer_and_many_rows_arrive_whole()
    {
        var address = string.Concat(Enumerable.Repeat("Hauptstraße 1, \"Hof\"\n", 10_000));
        string?[][] rows = [["1", address], .. Enumerable.Range(2, 5_000).Select(i => new string?[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture), "x" })];

        var csv = Write(["user_id", "address"], ',', false, rows);

        var expected = "1,\"" + address.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"\r\n"
            + string.Concat(Enumerable.Range(2, 5_000).Select(i => $"{i},x\r\n"));
        Assert.Equal(expected, csv);
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
