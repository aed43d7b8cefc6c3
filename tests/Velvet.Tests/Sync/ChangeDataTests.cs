using System.Text;
using System.Text.Json.Nodes;
using Velvet.Api.Sync;

namespace Velvet.Tests.Sync;

public sealed class ChangeDataTests
{
    private const string Stored =
        """{"id":7,"name":"Ann ","note":"say \"venue_id\":9 twice","contact_qualifications":[{"id":1,"venue_id":3,"status":"vip"},{"id":2,"venue_id":12,"status":"qualified"}]}""";

    [Fact]
    public void Contact_data_naming_only_the_viewers_venues_goes_out_as_stored()
    {
        Assert.Same(Stored, ChangeData.ForViewer(SyncClasses.Contact, Stored, [3, 12, 40]));
        Assert.Same(Stored, ChangeData.ForViewer(SyncClasses.Reservation, Stored, []));
    }

    [Fact]
    public void Qualifications_at_other_venues_are_removed()
    {
        var filtered = ChangeData.ForViewer(SyncClasses.Contact, Stored, [12]);
        var expected = Stored.Replace("""{"id":1,"venue_id":3,"status":"vip"},""", "", StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(filtered)), filtered);
    }

    [Fact]
    public void A_venue_id_inside_a_string_value_is_not_a_key()
    {
        // The note's text holds "venue_id":9 escaped; only the two keys count.
        Assert.True(ChangeData.NamesOnlyVenues(Encoding.UTF8.GetBytes(Stored), [3, 12]));
        Assert.False(ChangeData.NamesOnlyVenues(Encoding.UTF8.GetBytes(Stored), [3]));
    }

    [Theory]
    [InlineData("""{"venue_id":null}""")]
    [InlineData("""{"venue_id" : 3}""")]
    [InlineData("""{"venue_id":31}""")]
    [InlineData("""{"venue_id":""")]
    public void Anything_unexpected_is_left_to_the_parser(string json) => Assert.False(ChangeData.NamesOnlyVenues(Encoding.UTF8.GetBytes(json), [3]));
}
