using Velvet.Api.Exports.Delivery;

namespace Velvet.Tests.Exports.Delivery;

public class DeliveryNamesTests
{
    [Fact]
    public void Temporary_name_keeps_the_file_name_and_is_unique()
    {
        var first = DeliveryNames.TemporaryName("changes.csv");
        var second = DeliveryNames.TemporaryName("changes.csv");

        Assert.StartsWith("changes.csv.", first, StringComparison.Ordinal);
        Assert.EndsWith(DeliveryNames.TemporarySuffix, first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Folder_segments_ignore_empty_parts()
    {
        Assert.Equal(["exports", "2026", "11"], DeliveryNames.FolderSegments("/exports//2026/11/"));
        Assert.Empty(DeliveryNames.FolderSegments(""));
    }

    [Theory]
    [InlineData("exports/../etc")]
    [InlineData("./exports")]
    public void Folder_that_climbs_out_is_a_permanent_error(string folder)
    {
        var error = Assert.Throws<DeliveryException>(() => DeliveryNames.FolderSegments(folder));
        Assert.False(error.IsTransient);
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b.csv")]
    [InlineData("a\r\nDELE x")]
    public void Invalid_file_name_is_a_permanent_error(string fileName)
    {
        var error = Assert.Throws<DeliveryException>(() => DeliveryNames.EnsureValidFileName(fileName));
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void Target_text_never_shows_the_password()
    {
        var target = new DeliveryTarget("ftp", "example.com", 21, "alice", "s3cret-Pa55", "/out", UseTls: true, AcceptAnyCertificate: false);

        Assert.DoesNotContain("s3cret-Pa55", target.ToString(), StringComparison.Ordinal);
        Assert.Contains("alice", target.ToString(), StringComparison.Ordinal);
    }
}
