using Velvet.Api.Wire;

namespace Velvet.Tests.Wire;

public class WireJsonTests
{
    [Theory]
    [InlineData("0", "0.0")]
    [InlineData("25000.5", "25000.5")]
    [InlineData("25000.50", "25000.5")]
    [InlineData("100", "100.0")]
    [InlineData("12.75", "12.75")]
    public void Money_is_written_as_rails_decimal_strings(string value, string expected) =>
        Assert.Equal(expected, WireJson.Money(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Times_are_written_in_the_company_zone_without_a_colon_in_the_offset()
    {
        var zone = WireTime.Zone("America/Los_Angeles");
        var local = WireTime.ToZone(new DateTime(2014, 3, 3, 15, 35, 5, DateTimeKind.Utc), zone);
        Assert.Equal("2014-03-03T07:35:05-0800", WireJson.Time(local));
    }

    [Theory]
    [InlineData("2014-03-03T16:38:38GMT+01:00", "2014-03-03T15:38:38Z")]
    [InlineData("2014-03-03 05:29:17 -0300", "2014-03-03T08:29:17Z")]
    [InlineData("2014-03-03 00:00:00 +0000", "2014-03-03T00:00:00Z")]
    [InlineData("2014-03-03T07:35:05-0800", "2014-03-03T15:35:05Z")]
    [InlineData("2014-03-03T07:35:05Z", "2014-03-03T07:35:05Z")]
    [InlineData("2014-03-03 00:00:00  0000", "2014-03-03T00:00:00Z")]
    [InlineData("2014-03-03 05:29:17  0300", "2014-03-03T02:29:17Z")]
    [InlineData("2014-03-03T16:38:38GMT 01:00", "2014-03-03T15:38:38Z")]
    // A "+" that curl -d sends unencoded arrives as a space; it still means "+".
    public void The_last_changes_time_formats_and_iso_8601_are_read(string text, string utc)
    {
        Assert.True(WireTime.TryParse(text, out var parsed));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2014-13-45 00:00:00 +0000")]
    [InlineData("")]
    public void Garbage_times_are_rejected(string text) => Assert.False(WireTime.TryParse(text, out _));
}
