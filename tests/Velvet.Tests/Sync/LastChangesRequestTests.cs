using Velvet.Api.Sync;
using Velvet.Api.Wire;

namespace Velvet.Tests.Sync;

public sealed class LastChangesRequestTests
{
    private static string? Error(params (string Key, string Value)[] pairs) =>
        LastChangesRequest.Parse(RailsParams.FromPairs(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), ParamLimits.Default)).Error;

    [Fact]
    public void No_parameter_is_unknown_params() => Assert.Equal("Unknown params", Error(("auth_token", "x")));

    [Fact]
    public void Start_date_and_options_together_are_invalid_params() =>
        Assert.Equal("Invalid params", Error(("start_date", "2014-03-03 00:00:00 +0000"), ("options[Contact][start_date]", "2014-03-03 00:00:00 +0000")));

    [Fact]
    public void Unknown_class_in_options_is_invalid_params() =>
        Assert.Equal("Invalid params", Error(("options[Guest][start_date]", "2014-03-03 00:00:00 +0000")));

    [Fact]
    public void Options_that_are_not_a_hash_are_invalid_params() => Assert.Equal("Invalid params", Error(("options", "x")));

    [Fact]
    public void Bad_start_date_is_invalid_timestamp() => Assert.Equal("Invalid timestamp", Error(("start_date", "yesterday")));

    [Fact]
    public void Bad_class_start_date_names_the_class() =>
        Assert.Equal("Invalid timestamp at Notification", Error(("options[Contact][start_date]", "2014-03-03 05:29:17 +0000"), ("options[Notification][start_date]", "nope")));

    [Fact]
    public void Both_seed_formats_are_accepted()
    {
        var (starts, error) = LastChangesRequest.Parse(RailsParams.FromPairs(
            [new("options[ContactQualification][start_date]", "2014-03-03 05:29:17 -0300"), new("options[Notification][start_date]", "2014-03-03T16:38:38GMT+01:00")],
            ParamLimits.Default));
        Assert.Null(error);
        Assert.Equal(new DateTime(2014, 3, 3, 8, 29, 17, DateTimeKind.Utc), starts!["ContactQualification"]);
        Assert.Equal(new DateTime(2014, 3, 3, 15, 38, 38, DateTimeKind.Utc), starts["Notification"]);
    }

    [Fact]
    public void One_missing_class_keeps_the_seed_trailing_space() =>
        Assert.Equal("No achievements: 'Contact' ", LastChangesRequest.NoAchievements(["Contact"]));

    [Fact]
    public void Several_missing_classes_share_one_message() =>
        Assert.Equal("No achievements at some classes", LastChangesRequest.NoAchievements(["Contact", "Tag"]));

    [Fact]
    public void Timestamp_is_written_in_the_seed_format_in_the_company_zone_floored_to_the_second() =>
        Assert.Equal("2014-03-03T16:38:38GMT+01:00", LastChangesRequest.FormatTimestamp(
            new DateTime(2014, 3, 3, 15, 38, 38, 900, DateTimeKind.Utc), WireTime.Zone("Europe/Paris")));
}
