using Velvet.Api.Contacts;
using Velvet.Api.Wire;

namespace Velvet.Tests.Contacts;

public class ContactRulesTests
{
    [Theory]
    [InlineData("(123)456-7890", "(123)456-7890")]
    [InlineData("123.456.7890", "(123)456-7890")]
    [InlineData("+1 123 456 7890", "(123)456-7890")]
    [InlineData("1-212-555-0100", "(212)555-0100")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    public void Phones_are_normalised_north_american_style_or_E164(string input, string expected)
    {
        Assert.True(PhoneFormat.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("not a phone")]
    public void Impossible_phones_are_refused(string input) => Assert.False(PhoneFormat.TryNormalize(input, out _));

    [Fact]
    public void Any_formatting_of_a_number_gives_the_same_search_key() =>
        Assert.Equal(PhoneFormat.SearchKey("(212)555-0100"), PhoneFormat.SearchKey("+1 212.555.0100"));

    [Fact]
    public void Duplicate_message_names_the_value_the_contact_and_its_owners()
    {
        Assert.Equal("The john@example.com you entered is already associated with John Smith owned by Ada Admin and Hal Host.",
            ContactParams.DuplicateMessage("john@example.com", "John Smith", ["Ada Admin", "Hal Host"]));
        Assert.Equal("The (212)555-0100 you entered is already associated with John owned by nobody.",
            ContactParams.DuplicateMessage("(212)555-0100", "John ", []));
        Assert.Equal("A, B, and C", ContactParams.ToSentence(["A", "B", "C"]));
    }

    [Fact]
    public void First_name_and_email_or_phone_are_required()
    {
        var contact = new Contact { FirstName = "" };
        var errors = ContactParams.Apply(Hash(("last_name", "Smith")), contact);
        Assert.Equal(["can't be blank"], errors["first_name"]);
        Assert.Equal(["or phone can't be blank"], errors["email"]);
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var contact = new Contact { FirstName = "" };
        var errors = ContactParams.Apply(Hash(("first_name", "J"), ("email", "nope"), ("phone", "12"), ("state", "x"),
            ("status", "diamond"), ("gender", "x"), ("industry", "Piracy"), ("city", "Atlantis"), ("birthdate", "03/04/1990")), contact);
        string[] expected = ["birthdate", "city", "email", "gender", "industry", "phone", "state", "status"];
        Assert.Equal(expected, errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_the_keys_sent_change()
    {
        var contact = new Contact { FirstName = "John", LastName = "Smith", Email = "j@example.com", Status = "gold" };
        var errors = ContactParams.Apply(Hash(("first_name", "Jack")), contact);
        Assert.Empty(errors);
        Assert.Equal(("Jack", "Smith", "j@example.com", "gold"), (contact.FirstName, contact.LastName, contact.Email, contact.Status));
    }

    [Fact]
    public void A_contact_with_reservations_or_guestlists_cannot_be_deleted()
    {
        Assert.True(Contact.CanBeDeleted(0, 0));
        Assert.False(Contact.CanBeDeleted(1, 0));
        Assert.False(Contact.CanBeDeleted(0, 2));
    }

    [Fact]
    public void VCards_are_read_with_folded_lines_grouped_properties_and_parameters()
    {
        var cards = VCard.Parse("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;John;;;\r\nFN:John Smith\r\nitem1.EMAIL;TYPE=INTERNET:john@exa\r\n mple.com\r\n"
            + "TEL;TYPE=CELL:+1 212 555 0100\r\nORG:Acme\\, Inc.;Sales\r\nEND:VCARD\r\nBEGIN:VCARD\nFN:Jane Doe\nEND:VCARD\n");

        Assert.Equal(2, cards.Count);
        Assert.Equal(new VCard("John", "Smith", "john@example.com", "+1 212 555 0100", "Acme, Inc.", null), cards[0]);
        Assert.Equal(new VCard("Jane", "Doe", null, null, null, null), cards[1]);
    }

    private static ParamHash Hash(params (string Key, string Value)[] pairs) =>
        RailsParams.FromPairs(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), ParamLimits.Default);
}
