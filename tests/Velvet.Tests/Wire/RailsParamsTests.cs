using System.Diagnostics;
using System.Text;
using Velvet.Api.Wire;

namespace Velvet.Tests.Wire;

public class RailsParamsTests
{
    private static ParamHash Parse(string query, ParamLimits? limits = null) =>
        RailsParams.FromPairs(RailsParams.UrlEncodedPairs(query), limits ?? ParamLimits.Default);

    private static string Tree(string query) => Parse(query).ToString();

    private static ParamHash Json(string json, ParamLimits? limits = null) =>
        RailsParams.FromJson(Encoding.UTF8.GetBytes(json), limits ?? ParamLimits.Default);

    private static string Malformed(Action parse) => Assert.Throws<MalformedParamsException>(parse).Message;

    [Fact]
    public void Bracketed_keys_nest_into_hashes()
    {
        var p = Parse("contact[email]=a%40b.com&options[Contact][start_date]=2020-01-01&name=Ann+Lee");

        Assert.Equal("a@b.com", p.Hash("contact")!.Str("email"));
        Assert.Equal("2020-01-01", p.Hash("options")!.Hash("Contact")!.Str("start_date"));
        Assert.Equal("Ann Lee", p.Str("name"));
        Assert.Equal(["contact", "options", "name"], p.Keys);
    }

    [Fact]
    public void Keys_are_case_sensitive()
    {
        var p = Parse("Contact=1&contact=2");

        Assert.Equal("1", p.Str("Contact"));
        Assert.Equal("2", p.Str("contact"));
    }

    [Fact]
    public void Empty_brackets_build_a_list()
    {
        var p = Parse("ids[]=1&ids[]=2");

        Assert.Equal([new ParamValue("1"), new ParamValue("2")], p.List("ids")!);
    }

    [Fact]
    public void A_lone_comma_value_is_not_split_into_a_list()
    {
        var p = Parse("ids=1,2");

        Assert.Null(p.List("ids"));
        Assert.Equal("1,2", p.Str("ids"));
    }

    [Fact]
    public void Empty_brackets_below_a_hash_build_a_nested_list()
    {
        Assert.Equal("""{"a":{"b":["1","2"]}}""", Tree("a[b][]=1&a[b][]=2"));
    }

    [Fact]
    public void Nested_array_of_hashes_starts_a_new_hash_when_a_key_repeats()
    {
        var tree = Tree(
            "contact[contact_owners][][venue_id]=1&contact[contact_owners][][staff_id]=7" +
            "&contact[contact_owners][][venue_id]=2&contact[contact_owners][][staff_id]=8");

        Assert.Equal("""{"contact":{"contact_owners":[{"venue_id":"1","staff_id":"7"},{"venue_id":"2","staff_id":"8"}]}}""", tree);
    }

    [Fact]
    public void Array_of_hashes_with_a_list_inside_keeps_filling_the_last_hash()
    {
        Assert.Equal("""{"a":[{"b":["1","2"]}]}""", Tree("a[][b][]=1&a[][b][]=2"));
    }

    [Fact]
    public void Double_empty_brackets_push_a_list_per_value()
    {
        Assert.Equal("""{"a":[["1"],["2"]]}""", Tree("a[][]=1&a[][]=2"));
    }

    [Fact]
    public void Repeated_scalar_key_keeps_the_last_value_in_the_first_position()
    {
        var p = Parse("a=1&b=x&a=2");

        Assert.Equal("2", p.Str("a"));
        Assert.Equal(["a", "b"], p.Keys);
    }

    [Fact]
    public void Leaf_then_hash_is_a_conflict_naming_the_key()
    {
        Assert.Equal("Conflicting types for parameter 'a'", Malformed(() => Parse("a=1&a[b]=2")));
    }

    [Fact]
    public void List_then_hash_is_a_conflict_naming_the_key()
    {
        Assert.Equal("Conflicting types for parameter 'a'", Malformed(() => Parse("a[]=1&a[x]=2")));
    }

    [Fact]
    public void Hash_then_list_is_a_conflict_naming_the_key()
    {
        Assert.Equal("Conflicting types for parameter 'a'", Malformed(() => Parse("a[x]=1&a[]=2")));
    }

    [Fact]
    public void Nested_conflict_names_the_inner_key()
    {
        Assert.Equal("Conflicting types for parameter 'b'", Malformed(() => Parse("a[b]=1&a[b][c]=2")));
    }

    [Fact]
    public void A_plain_key_after_a_hash_replaces_it_as_in_rails()
    {
        // Rails assigns leaves unconditionally; only building into a leaf is a type error.
        Assert.Equal("""{"a":"1"}""", Tree("a[b]=2&a=1"));
    }

    [Fact]
    public void A_null_is_replaced_by_a_hash_or_list_without_conflict()
    {
        Assert.Equal("""{"a":{"b":"1"},"c":["2"]}""", Tree("a&a[b]=1&c&c[]=2"));
    }

    [Fact]
    public void Key_without_equals_is_null_and_with_equals_is_empty()
    {
        var p = Parse("flag&blank=");

        Assert.Same(ParamNull.Instance, p["flag"]);
        Assert.True(p.ContainsKey("flag"));
        Assert.False(p.Has("flag"));
        Assert.Null(p.Str("flag"));
        Assert.Equal("", p.Str("blank"));
        Assert.True(p.Has("blank"));
    }

    [Fact]
    public void Empty_list_item_without_value_is_dropped_as_rails_deep_munge_does()
    {
        Assert.Equal("""{"ids":["1"]}""", Tree("ids[]&ids[]=1"));
    }

    [Fact]
    public void Empty_key_is_ignored()
    {
        Assert.Equal("""{"b":"2"}""", Tree("=1&b=2&&"));
    }

    [Fact]
    public void Semicolons_separate_pairs_as_in_rails()
    {
        Assert.Equal("""{"a":"1","b":"2"}""", Tree("a=1;%20b=2".Replace("%20", " ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Unclosed_bracket_below_the_top_becomes_a_literal_inner_key()
    {
        // Rack 3 / Rails 7+: "a[b" splits at the "[" and keeps "[b" as the inner key.
        Assert.Equal("""{"a":{"[b":"1"}}""", Tree("a[b=1"));
    }

    [Fact]
    public void Stray_closing_bracket_is_part_of_a_literal_key()
    {
        Assert.Equal("""{"a]b":"1"}""", Tree("a]b=1"));
    }

    [Fact]
    public void Leading_bracket_key_is_kept_literally()
    {
        Assert.Equal("""{"[x]":"1","[]":"2"}""", Tree("[x]=1&[]=2"));
    }

    [Fact]
    public void Trailing_open_bracket_is_kept_literally()
    {
        Assert.Equal("""{"a[":"1"}""", Tree("a[=1"));
    }

    [Fact]
    public void Invalid_percent_encoding_is_decoded_leniently()
    {
        var p = Parse("a=%zz&b=%FF%FE&c=%E2%82%AC");

        Assert.Equal("%zz", p.Str("a"));
        Assert.Equal("\uFFFD\uFFFD", p.Str("b"));
        Assert.Equal("€", p.Str("c"));
    }

    [Fact]
    public void Nesting_at_the_depth_limit_is_accepted()
    {
        var limits = new ParamLimits { MaxDepth = 3 };

        Assert.Equal("""{"a":{"b":{"c":{"d":"1"}}}}""", Parse("a[b][c][d]=1", limits).ToString());
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_rejected()
    {
        var limits = new ParamLimits { MaxDepth = 3 };

        Assert.Equal("Parameters nested too deeply", Malformed(() => Parse("a[b][c][d][e]=1", limits)));
        Assert.Equal("Parameters nested too deeply", Malformed(() => Parse("a[][b][c][d][e]=1", limits)));
    }

    [Fact]
    public void Ten_thousand_levels_of_brackets_are_rejected_without_recursion()
    {
        var key = "a" + string.Concat(Enumerable.Repeat("[b]", 10_000));
        var limits = new ParamLimits { MaxKeyLength = 100_000 };

        Assert.Equal("Parameters nested too deeply", Malformed(() => Parse(key + "=1", limits)));
        Assert.Equal("Parameter name too long", Malformed(() => Parse(key + "=1")));
    }

    [Fact]
    public void Hundred_thousand_keys_are_rejected_quickly()
    {
        var query = string.Join('&', Enumerable.Range(0, 100_000).Select(i => $"k{i}=v"));
        var clock = Stopwatch.StartNew();

        Assert.Equal("Too many parameters", Malformed(() => Parse(query)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Exactly_max_keys_is_accepted()
    {
        var query = string.Join('&', Enumerable.Range(0, 10).Select(i => $"k{i}=v"));

        Assert.Equal(10, Parse(query, new ParamLimits { MaxKeys = 10 }).Count);
    }

    [Fact]
    public void Overlong_value_is_rejected()
    {
        Assert.Equal("Parameter value too long", Malformed(() => Parse("a=12345", new ParamLimits { MaxValueLength = 4 })));
    }

    [Fact]
    public void Json_object_becomes_a_tree_with_literal_numbers_and_text_booleans()
    {
        var p = Json("""{"contact":{"first_name":"Ann","spend":25000.50,"vip":true,"old":false,"note":null},"ids":[1,"2",3e2]}""");

        var contact = p.Hash("contact")!;
        Assert.Equal("25000.50", contact.Str("spend"));
        Assert.Equal("true", contact.Str("vip"));
        Assert.Equal("false", contact.Str("old"));
        Assert.Same(ParamNull.Instance, contact["note"]);
        Assert.Equal([new ParamValue("1"), new ParamValue("2"), new ParamValue("3e2")], p.List("ids")!);
    }

    [Fact]
    public void Json_duplicate_key_keeps_the_last_value()
    {
        Assert.Equal("""{"a":"2"}""", Json("""{"a":1,"a":2}""").ToString());
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Json_body_that_is_not_an_object_is_rejected(string json)
    {
        Assert.Equal("JSON body must be an object", Malformed(() => Json(json)));
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":1}{}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("")]
    public void Invalid_json_is_malformed(string json)
    {
        Assert.Equal("Malformed JSON body", Malformed(() => Json(json)));
    }

    [Fact]
    public void Invalid_utf8_in_json_is_malformed()
    {
        byte[] inString = [.. "{\"a\":\""u8, 0xFF, 0xFE, .. "\"}"u8];
        byte[] inName = [.. "{\""u8, 0xC3, .. "\":1}"u8];

        Assert.Equal("Malformed JSON body", Malformed(() => RailsParams.FromJson(inString, ParamLimits.Default)));
        Assert.Equal("Malformed JSON body", Malformed(() => RailsParams.FromJson(inName, ParamLimits.Default)));
    }

    [Fact]
    public void Json_with_a_byte_order_mark_is_accepted()
    {
        byte[] json = [0xEF, 0xBB, 0xBF, .. "{\"a\":1}"u8];

        Assert.Equal("1", RailsParams.FromJson(json, ParamLimits.Default).Str("a"));
    }

    [Fact]
    public void Json_depth_counts_like_bracket_depth()
    {
        var limits = new ParamLimits { MaxDepth = 2 };

        Assert.Equal("1", Json("""{"a":{"b":[1]}}""", limits).Hash("a")!.List("b")![0] is ParamValue v ? v.Value : null);
        Assert.Equal("Parameters nested too deeply", Malformed(() => Json("""{"a":{"b":[[1]]}}""", limits)));
    }

    [Fact]
    public void Ten_thousand_levels_of_json_are_rejected_without_recursion()
    {
        var json = "{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.Equal("Parameters nested too deeply", Malformed(() => Json(json)));
    }

    [Fact]
    public void Json_with_too_many_items_is_rejected()
    {
        var json = "{\"a\":[" + string.Join(',', Enumerable.Repeat("1", 100_000)) + "]}";

        Assert.Equal("Too many parameters", Malformed(() => Json(json)));
    }

    [Fact]
    public void Merge_puts_b_leaves_over_a_and_merges_hashes_recursively()
    {
        var query = Parse("page=1&contact[email]=q@x.com&contact[name]=Q&ids[]=1");
        var body = Json("""{"contact":{"email":"b@x.com","phone":"555"},"ids":[2],"extra":"e"}""");

        var merged = RailsParams.Merge(query, body);

        Assert.Equal("""{"page":"1","contact":{"email":"b@x.com","name":"Q","phone":"555"},"ids":["2"],"extra":"e"}""", merged.ToString());
        Assert.Equal("""{"page":"1","contact":{"email":"q@x.com","name":"Q"},"ids":["1"]}""", query.ToString());
    }

    [Fact]
    public void Merge_lets_a_body_leaf_replace_a_query_hash()
    {
        var merged = RailsParams.Merge(Parse("a[b]=1"), Parse("a=2"));

        Assert.Equal("""{"a":"2"}""", merged.ToString());
    }

    [Fact]
    public void Trees_compare_structurally()
    {
        Assert.Equal(Parse("a[b][]=1&c=2"), Json("""{"a":{"b":["1"]},"c":"2"}"""));
        Assert.NotEqual(Parse("a=1&c=2"), Parse("c=2&a=1"));
    }
}
