using System.Text;
using Velvet.Api.Exports;

namespace Velvet.Tests.Exports;

/// <summary>The record window the export download serves, read through buffers of every small size.</summary>
public sealed class CsvRecordsTests
{
    private const string Header = "user_id,Name,Stadt\r\n";
    private const string First = "1,\"Zoë \"\"Z\"\" Müller\",Köln\r\n";
    private const string Second = "2,\"two\r\nlines, one record\",東京\r\n";
    private const string Third = "3,Last,\"no line break after it\"";

    [Theory]
    [InlineData(0, null, Header + First + Second + Third)]
    [InlineData(1, 1, Header + Second)]
    [InlineData(2, null, Header + Third)]
    [InlineData(0, 2, Header + First + Second)]
    [InlineData(3, null, Header)]
    public async Task A_window_of_records_comes_out_byte_for_byte_whatever_the_buffer_size(int offset, int? limit, string expected)
    {
        var file = Encoding.UTF8.GetBytes(Header + First + Second + Third);
        for (var size = 1; size <= file.Length + 1; size++)
        {
            using var output = new MemoryStream();
            await CsvRecords.CopyAsync(new MemoryStream(file), output, hasHeader: true, offset, limit, CancellationToken.None, size);
            Assert.Equal(expected, Encoding.UTF8.GetString(output.ToArray()));
        }
    }

    [Fact]
    public async Task Without_a_header_the_window_starts_at_the_first_record()
    {
        var file = Encoding.UTF8.GetBytes(First + Second + Third);
        using var output = new MemoryStream();
        await CsvRecords.CopyAsync(new MemoryStream(file), output, hasHeader: false, offset: 1, limit: 1, CancellationToken.None, bufferSize: 5);
        Assert.Equal(Second, Encoding.UTF8.GetString(output.ToArray()));
    }
}
