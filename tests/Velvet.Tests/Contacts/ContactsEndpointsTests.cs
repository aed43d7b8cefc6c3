using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Contacts;
using Velvet.Api.Notes;
using Velvet.Api.Tags;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Contacts;

public abstract class ContactsEndpointsTests(VelvetApp app) : IntegrationTest(app)
{
    /// <summary>
    /// The keys of seed 001's contact example (the Last Changes shape), plus nurtured, which the seed's
    /// {contact_last_changes#HASH} documents though its example omits it.
    /// </summary>
    private static readonly string[] SeedKeys =
    [
        "id", "first_name", "last_name", "title", "state", "avatar_mobile_thumb_url", "gender", "birthdate", "organization",
        "industry", "ethnicity", "sexual_preference", "status", "email", "phone", "address", "country", "region", "city", "zip",
        "facebook", "twitter", "instagram", "skype", "website", "total_spent", "average_spent", "highest_spent",
        "reservations_count", "campaigns_count", "guestlists_count", "cancellations", "last_reservation", "last_visit",
        "last_update", "created_at", "visited_venue_ids", "total_comp", "no_shows", "nurtured", "avatar", "notes", "tags", "name", "group_id",
    ];

    private async Task<JsonElement> CreateAsync(string token, params (string Key, string Value)[] form) =>
        (await Api.Post("/api/v1/contacts.json", [("auth_token", token), .. form])).AssertOk().Json;

    private static int IdOf(JsonElement json) => json.GetProperty("id").GetInt32();

    private static IEnumerable<int> Ids(JsonElement list) => list.EnumerateArray().Select(IdOf);

    [DbFact]
    public async Task The_curl_examples_of_contacts_md_work_unchanged()
    {
        var world = await TestWorld.CreateAsync(App);
        var token = world.AdminToken;

        var created = (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[email]", "contact@example.com"), ("contact[first_name]", "John")))
            .AssertOk().Json;
        var id = IdOf(created);
        Assert.Equal("John ", created.GetProperty("name").GetString());
        Assert.Equal("customer", created.GetProperty("state").GetString());
        Assert.Equal("0.0", created.GetProperty("total_spent").GetString());

        var list = (await Api.Get("/api/v1/contacts.json", ("auth_token", token))).AssertOk().Json;
        Assert.Equal([id], Ids(list));

        var got = (await Api.Get($"/api/v1/contacts/{id}.json", ("auth_token", token))).AssertOk().Json;
        Assert.Equal([.. SeedKeys, "contact_qualifications"], got.EnumerateObject().Select(p => p.Name));

        var updated = (await Api.Put($"/api/v1/contacts/{id}.json", ("auth_token", token), ("contact[first_name]", "Jack"))).AssertOk().Json;
        Assert.Equal("Jack", updated.GetProperty("first_name").GetString());
        Assert.Equal("contact@example.com", updated.GetProperty("email").GetString());

        var spent = (await Api.Get($"/api/v1/contacts/{id}/expenditures.json", ("auth_token", token))).AssertOk().Json;
        Assert.Equal("0.0", spent.GetProperty("total_spent").GetString());
        Assert.Equal(0, spent.GetProperty("reservations").GetInt32());

        var qualification = (await Api.Post($"/api/v1/contacts/{id}/set_qualification.json", ("auth_token", token),
            ("venue_id", $"{world.VenueA.Id}"), ("status", "qualified"))).AssertOk().Json;
        Assert.Equal(id, qualification.GetProperty("contact_id").GetInt32());
        Assert.Equal("qualified", qualification.GetProperty("status").GetString());

        // The example's "mail" is not part of contact@example.com: a substring search finds nothing, "EXAMPLE" finds it.
        Assert.Empty(Ids((await Api.Get("/api/v1/contacts.json", ("auth_token", token), ("search[email]", "mail"))).AssertOk().Json));
        Assert.Equal([id], Ids((await Api.Get("/api/v1/contacts.json", ("auth_token", token), ("search[email]", "EXAMPLE"))).AssertOk().Json));

        var deleted = (await Api.Delete($"/api/v1/contacts/{id}.json", ("auth_token", token))).AssertOk().Json;
        Assert.Equal("Success", deleted.GetProperty("message").GetString());
        (await Api.Get($"/api/v1/contacts/{id}.json", ("auth_token", token))).AssertError(404);
    }

    [DbFact]
    public async Task Join_owners_adds_contact_owners_and_create_sets_owners_tags_and_qualifications()
    {
        var world = await TestWorld.CreateAsync(App);
        var tagId = await App.WithDbAsync(async (db, _) =>
        {
            var category = new TagCategory { CompanyId = world.Company.Id, Name = "Music", Tags = [new Tag { CompanyId = world.Company.Id, Name = "House" }] };
            db.TagCategories.Add(category);
            await db.SaveChangesAsync();
            return category.Tags[0].Id;
        });

        var created = await CreateAsync(world.AdminToken, ("contact[first_name]", "Olivia"), ("contact[phone]", "212 555 0100"),
            ("contact[tag_ids][]", $"{tagId}"),
            ("contact[contact_owners][][venue_id]", $"{world.VenueA.Id}"), ("contact[contact_owners][][user_id]", $"{world.Host.Id}"),
            ("contact_qualifications[][venue_id]", $"{world.VenueB.Id}"), ("contact_qualifications[][status]", "disqualified"),
            ("join_owners", "1"));

        Assert.Equal([.. SeedKeys, "contact_qualifications", "contact_owners"], created.EnumerateObject().Select(p => p.Name));
        Assert.Equal("(212)555-0100", created.GetProperty("phone").GetString());
        Assert.Equal([tagId], created.GetProperty("tags").EnumerateArray().Select(t => t.GetInt32()));
        var owner = Assert.Single(created.GetProperty("contact_owners").EnumerateArray());
        Assert.Equal(world.Host.Id, owner.GetProperty("user_id").GetInt32());
        var qualification = Assert.Single(created.GetProperty("contact_qualifications").EnumerateArray());
        Assert.Equal("disqualified", qualification.GetProperty("status").GetString());

        var tags = (await Api.Get("/api/v1/settings/tags.json", ("auth_token", world.HostToken))).AssertOk().Json;
        var music = Assert.Single(tags.EnumerateArray());
        Assert.Equal("House", music.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, music.GetProperty("ancestry").ValueKind);
    }

    [DbFact]
    public async Task Every_validation_answers_400_with_errors()
    {
        var world = await TestWorld.CreateAsync(App);
        var other = await TestWorld.CreateAsync(App);
        var token = world.AdminToken;

        var missing = (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[last_name]", "Smith"))).AssertError(400).Json;
        Assert.Equal("can't be blank", missing.GetProperty("errors").GetProperty("first_name")[0].GetString());
        Assert.True(missing.GetProperty("errors").TryGetProperty("email", out _));

        var bad = (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[first_name]", "J"), ("contact[email]", "nope"),
            ("contact[phone]", "12"), ("contact[state]", "x"), ("contact[status]", "diamond"), ("contact[gender]", "x"),
            ("contact[industry]", "Piracy"), ("contact[ethnicity]", "x"), ("contact[sexual_preference]", "x"), ("contact[region]", "Atlantis"),
            ("contact[birthdate]", "1990-13-45"))).AssertError(400).Json;
        var fields = bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        string[] expected = ["birthdate", "email", "ethnicity", "gender", "industry", "phone", "region", "sexual_preference", "state", "status"];
        Assert.Equal(expected, fields);

        var foreignTag = await App.WithDbAsync(async (db, _) =>
        {
            var category = new TagCategory { CompanyId = other.Company.Id, Name = "Theirs", Tags = [new Tag { CompanyId = other.Company.Id, Name = "T" }] };
            db.TagCategories.Add(category);
            await db.SaveChangesAsync();
            return category.Tags[0].Id;
        });
        (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[first_name]", "J"), ("contact[email]", "j@example.com"),
            ("contact[tag_ids][]", $"{foreignTag}"))).AssertError(400);
        (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[first_name]", "J"), ("contact[email]", "j@example.com"),
            ("contact[contact_owners][][venue_id]", $"{other.VenueA.Id}"), ("contact[contact_owners][][user_id]", $"{world.Host.Id}"))).AssertError(400);
        (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[first_name]", "J"), ("contact[email]", "j@example.com"),
            ("contact[contact_owners][][venue_id]", $"{world.VenueA.Id}"), ("contact[contact_owners][][user_id]", $"{other.Admin.Id}"))).AssertError(400);
        (await Api.Post("/api/v1/contacts.json", ("auth_token", token), ("contact[first_name]", "J"), ("contact[email]", "j@example.com"),
            ("contact_qualifications[][venue_id]", $"{world.VenueA.Id}"), ("contact_qualifications[][status]", "maybe"))).AssertError(400);

        var id = IdOf(await CreateAsync(token, ("contact[first_name]", "J"), ("contact[email]", "j@example.com")));
        (await Api.Post($"/api/v1/contacts/{id}/set_qualification", ("auth_token", token), ("venue_id", $"{other.VenueA.Id}"), ("status", "qualified"))).AssertError(400);
        (await Api.Post($"/api/v1/contacts/{id}/set_qualification", ("auth_token", token), ("venue_id", $"{world.VenueA.Id}"), ("status", "maybe"))).AssertError(400);
        (await Api.Get($"/api/v1/contacts/{id}/expenditures", ("auth_token", token), ("venue_id", $"{other.VenueA.Id}"))).AssertError(400);
        (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", token), ("contact[email]", ""))).AssertError(400);
    }

    [DbFact]
    public async Task Create_with_existing_email_or_phone_returns_the_duplicate_message()
    {
        var world = await TestWorld.CreateAsync(App);
        var existing = await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[last_name]", "Smith"),
            ("contact[email]", "John@Example.com"), ("contact[phone]", "(212)555-0100"),
            ("contact[contact_owners][][venue_id]", $"{world.VenueA.Id}"), ("contact[contact_owners][][user_id]", $"{world.Admin.Id}"));

        var byEmail = (await Api.Post("/api/v1/contacts.json", ("auth_token", world.AdminToken), ("contact[first_name]", "Other"),
            ("contact[email]", "john@example.com"))).AssertOk().Json;
        Assert.Equal("The john@example.com you entered is already associated with John Smith owned by Ada Admin.",
            byEmail.GetProperty("message").GetString());
        Assert.Equal(IdOf(existing), IdOf(byEmail.GetProperty("contact")));

        var byPhone = (await Api.Post("/api/v1/contacts.json", ("auth_token", world.HostToken), ("contact[first_name]", "Other"),
            ("contact[phone]", "+1 212.555.0100"))).AssertOk().Json;
        Assert.Equal("The (212)555-0100 you entered is already associated with John Smith owned by Ada Admin.",
            byPhone.GetProperty("message").GetString());

        var count = await App.WithDbAsync((db, _) => db.Contacts.CountAsync(c => c.CompanyId == world.Company.Id));
        Assert.Equal(1, count);
    }

    [DbFact]
    public async Task The_email_is_checked_before_the_phone_and_an_update_may_keep_its_own_but_not_take_another_contacts()
    {
        var world = await TestWorld.CreateAsync(App);
        var first = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "Ann"), ("contact[last_name]", "Phone"),
            ("contact[email]", "ann@example.com"), ("contact[phone]", "(212)555-0101")));
        var second = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "Bob"), ("contact[last_name]", "Mail"),
            ("contact[email]", "bob@example.com"), ("contact[phone]", "(212)555-0102")));

        // The phone is Ann's, the e-mail Bob's: the e-mail wins.
        var both = (await Api.Post("/api/v1/contacts.json", ("auth_token", world.AdminToken), ("contact[first_name]", "Other"),
            ("contact[email]", "BOB@example.com"), ("contact[phone]", "212 555 0101"))).AssertOk().Json;
        Assert.Equal(second, IdOf(both.GetProperty("contact")));
        Assert.StartsWith("The BOB@example.com you entered is already associated with Bob Mail", both.GetProperty("message").GetString(), StringComparison.Ordinal);

        (await Api.Put($"/api/v1/contacts/{first}", ("auth_token", world.AdminToken), ("contact[email]", "ann@example.com"),
            ("contact[phone]", "(212)555-0101"), ("contact[title]", "Regular"))).AssertOk();
        var taken = (await Api.Put($"/api/v1/contacts/{first}", ("auth_token", world.AdminToken), ("contact[phone]", "212.555.0102")))
            .AssertError(400).Json;
        Assert.Equal("has already been taken", taken.GetProperty("errors").GetProperty("phone")[0].GetString());
        var stored = (await Api.Get($"/api/v1/contacts/{first}.json", ("auth_token", world.AdminToken))).AssertOk().Json;
        Assert.Equal("(212)555-0101", stored.GetProperty("phone").GetString());
    }

    [DbFact]
    public async Task A_value_longer_than_its_field_holds_is_refused_with_400_on_either_engine_and_nothing_is_written()
    {
        var world = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[email]", "john@example.com")));

        var tooLong = (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken), ("contact[first_name]", new string('x', 101)),
            ("contact[title]", "CEO"))).AssertError(400).Json;
        var created = (await Api.Post("/api/v1/contacts.json", ("auth_token", world.AdminToken), ("contact[first_name]", "Ann"),
            ("contact[last_name]", new string('y', 101)), ("contact[email]", "ann@example.com"))).AssertError(400).Json;
        var both = (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken), ("contact[first_name]", new string('x', 101)),
            ("contact[last_name]", new string('y', 101)))).AssertError(400).Json;

        Assert.Equal("is too long (maximum is 100 characters)", tooLong.GetProperty("errors").GetProperty("first_name")[0].GetString());
        Assert.Equal("is too long (maximum is 100 characters)", created.GetProperty("errors").GetProperty("last_name")[0].GetString());
        // Every field that does not fit is named at once, so the client can correct them in one go.
        Assert.Equal(["first_name", "last_name"], both.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("First name is too long (maximum is 100 characters), Last name is too long (maximum is 100 characters)",
            both.GetProperty("message").GetString());
        var stored = (await Api.Get($"/api/v1/contacts/{id}.json", ("auth_token", world.AdminToken))).AssertOk().Json;
        Assert.Equal("John", stored.GetProperty("first_name").GetString());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("title").ValueKind);
        Assert.Equal(1, await App.WithDbAsync((db, _) => db.Contacts.CountAsync(c => c.CompanyId == world.Company.Id)));
        (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken), ("contact[first_name]", new string('x', 100)))).AssertOk();
        // The column counts characters: a hundred emoji fit, though .NET counts two units for each.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F37E", 100));
        Assert.Equal(emoji, (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken), ("contact[first_name]", emoji))).AssertOk().Json
            .GetProperty("first_name").GetString());
    }

    [DbFact]
    public async Task A_null_character_in_any_parameter_is_refused_as_malformed_on_either_engine()
    {
        var world = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[email]", "john@example.com")));

        (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken), ("contact[website]", "example.com\0")))
            .AssertError(400, "Parameter contains a null character");
        (await Api.Get("/api/v1/contacts", ("auth_token", world.AdminToken), ("search[name]", "jo\0hn")))
            .AssertError(400, "Parameter contains a null character");
        (await Api.SendJson(HttpMethod.Put, $"/api/v1/contacts/{id}.json?auth_token={world.AdminToken}", new { contact = new { title = "C\0EO" } }))
            .AssertError(400, "Parameter contains a null character");

        var stored = (await Api.Get($"/api/v1/contacts/{id}.json", ("auth_token", world.AdminToken))).AssertOk().Json;
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("website").ValueKind);
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("title").ValueKind);
    }

    [DbFact]
    public async Task Update_changes_only_the_keys_sent()
    {
        var world = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[last_name]", "Smith"),
            ("contact[email]", "john@example.com"), ("contact[status]", "gold"), ("contact[birthdate]", "1990-04-03")));

        var updated = (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.HostToken), ("contact[title]", "CEO"))).AssertOk().Json;

        Assert.Equal("CEO", updated.GetProperty("title").GetString());
        Assert.Equal("Smith", updated.GetProperty("last_name").GetString());
        Assert.Equal("gold", updated.GetProperty("status").GetString());
        Assert.Equal("1990-04-03", updated.GetProperty("birthdate").GetString());
        Assert.Equal("john@example.com", updated.GetProperty("email").GetString());
    }

    [DbFact]
    public async Task Search_finds_a_phone_in_any_formatting_and_names_case_insensitively()
    {
        var world = await TestWorld.CreateAsync(App);
        var john = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[last_name]", "McSmith"), ("contact[phone]", "(212)555-0100")));
        var jane = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "Jane"), ("contact[last_name]", "Doe"), ("contact[email]", "jane@example.com")));

        foreach (var phone in new[] { "212-555-0100", "+1 (212) 555 0100", "2125550100", "555-0100" })
        {
            Assert.Equal([john], Ids((await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("search[phone]", phone))).AssertOk().Json));
        }

        foreach (var name in new[] { "john", "MCSMITH", "John McSmith", "ohn mcs" })
        {
            Assert.Equal([john], Ids((await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("search[name]", name))).AssertOk().Json));
        }

        Assert.Equal([jane], Ids((await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("search[email]", "JANE@"))).AssertOk().Json));
        // LIKE wildcards typed by a user are literal characters, not patterns.
        Assert.Empty((await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("search[name]", "%"))).AssertOk().Json.EnumerateArray());
        Assert.Empty((await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("search[email]", "_"))).AssertOk().Json.EnumerateArray());
        Assert.Equal([jane], Ids((await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("ids[]", $"{jane}"))).AssertOk().Json));
    }

    [DbFact]
    public async Task List_pages_only_when_asked_and_streams_every_contact_otherwise()
    {
        var world = await TestWorld.CreateAsync(App);
        await App.WithDbAsync(async (db, _) =>
        {
            for (var i = 0; i < ContactsEndpoints.BatchSize + 20; i++)
            {
                var contact = new Contact { CompanyId = world.Company.Id, FirstName = $"C{i}", Email = $"c{i}@example.com" };
                contact.RefreshSearchKeys();
                db.Contacts.Add(contact);
            }

            await db.SaveChangesAsync();
        });

        var all = (await Api.Get("/api/v1/contacts", ("auth_token", world.AdminToken))).AssertOk().Json;
        Assert.Equal(ContactsEndpoints.BatchSize + 20, all.GetArrayLength());
        Assert.Equal(Ids(all).Order(), Ids(all));

        var page = (await Api.Get("/api/v1/contacts", ("auth_token", world.AdminToken), ("page", "2"), ("per_page", "10"))).AssertOk().Json;
        Assert.Equal(Ids(all).Skip(10).Take(10), Ids(page));
    }

    [DbFact]
    public async Task Another_company_gets_404_on_get_update_and_delete()
    {
        var world = await TestWorld.CreateAsync(App);
        var other = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[email]", "john@example.com")));

        (await Api.Get($"/api/v1/contacts/{id}", ("auth_token", other.AdminToken))).AssertError(404);
        (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", other.AdminToken), ("contact[first_name]", "X"))).AssertError(404);
        (await Api.Delete($"/api/v1/contacts/{id}", ("auth_token", other.AdminToken))).AssertError(404);
        (await Api.Post($"/api/v1/contacts/{id}/set_qualification", ("auth_token", other.AdminToken), ("venue_id", $"{other.VenueA.Id}"), ("status", "qualified"))).AssertError(404);
        Assert.Empty((await Api.Get("/api/v1/contacts", ("auth_token", other.AdminToken))).AssertOk().Json.EnumerateArray());
        Assert.Equal("John", (await Api.Get($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken))).AssertOk().Json.GetProperty("first_name").GetString());
    }

    [DbFact]
    public async Task A_host_sees_owners_and_qualifications_only_at_its_venues_and_may_not_delete_or_change_owners()
    {
        var world = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[email]", "john@example.com"),
            ("contact[contact_owners][][venue_id]", $"{world.VenueA.Id}"), ("contact[contact_owners][][user_id]", $"{world.Admin.Id}"),
            ("contact[contact_owners][][venue_id]", $"{world.VenueB.Id}"), ("contact[contact_owners][][user_id]", $"{world.Admin.Id}"),
            ("contact_qualifications[][venue_id]", $"{world.VenueA.Id}"), ("contact_qualifications[][status]", "qualified"),
            ("contact_qualifications[][venue_id]", $"{world.VenueB.Id}"), ("contact_qualifications[][status]", "unqualified")));

        var seenByHost = (await Api.Get($"/api/v1/contacts/{id}", ("auth_token", world.HostToken), ("join_owners", "1"))).AssertOk().Json;
        Assert.Equal([world.VenueA.Id], seenByHost.GetProperty("contact_owners").EnumerateArray().Select(o => o.GetProperty("venue_id").GetInt32()));
        Assert.Equal([world.VenueA.Id], seenByHost.GetProperty("contact_qualifications").EnumerateArray().Select(o => o.GetProperty("venue_id").GetInt32()));
        var listed = (await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken), ("join_owners", "1"))).AssertOk().Json;
        Assert.Single(listed[0].GetProperty("contact_owners").EnumerateArray());

        var seenByAdmin = (await Api.Get($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken), ("join_owners", "1"))).AssertOk().Json;
        Assert.Equal(2, seenByAdmin.GetProperty("contact_owners").GetArrayLength());

        (await Api.Delete($"/api/v1/contacts/{id}", ("auth_token", world.HostToken))).AssertError(401, "User has no permissions for this action");
        (await Api.Put($"/api/v1/contacts/{id}", ("auth_token", world.HostToken),
            ("contact[contact_owners][][venue_id]", $"{world.VenueA.Id}"), ("contact[contact_owners][][user_id]", $"{world.Host.Id}"))).AssertError(401);
        (await Api.Post($"/api/v1/contacts/{id}/set_qualification", ("auth_token", world.HostToken), ("venue_id", $"{world.VenueB.Id}"), ("status", "qualified"))).AssertError(400);
    }

    [DbFact]
    public async Task Delete_removes_the_contact_with_its_notes_and_keeps_its_change_rows()
    {
        var world = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "John"), ("contact[email]", "john@example.com"),
            ("contact[contact_owners][][venue_id]", $"{world.VenueB.Id}"), ("contact[contact_owners][][user_id]", $"{world.Admin.Id}")));
        await App.WithDbAsync(async (db, _) =>
        {
            db.Notes.Add(new Note { CompanyId = world.Company.Id, ContactId = id, Text = "VIP", UserId = world.Admin.Id, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        var withNote = (await Api.Get($"/api/v1/contacts/{id}", ("auth_token", world.HostToken))).AssertOk().Json;
        Assert.Equal("VIP", withNote.GetProperty("notes")[0].GetProperty("text").GetString());

        (await Api.Delete($"/api/v1/contacts/{id}", ("auth_token", world.AdminToken))).AssertOk();

        var (notes, owners, actions) = await App.WithDbAsync(async (db, _) => (
            await db.Notes.CountAsync(n => n.ContactId == id),
            await db.ContactOwners.CountAsync(o => o.ContactId == id),
            await db.ContactChanges.Where(c => c.ContactId == id).OrderBy(c => c.Id).Select(c => c.Action).ToListAsync()));
        Assert.Equal((0, 0), (notes, owners));
        Assert.Equal(["create", "destroy"], actions);
    }

    [DbFact]
    public async Task A_contact_with_a_reservation_even_at_a_venue_the_caller_cannot_see_can_not_be_deleted()
    {
        var world = await TestWorld.CreateAsync(App);
        var id = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "Rita"), ("contact[email]", $"rita-{Guid.NewGuid():N}@example.com")));
        await App.WithDbAsync(async (db, _) =>
        {
            db.Reservations.Add(new Velvet.Api.Reservations.Reservation
            {
                CompanyId = world.Company.Id, VenueId = world.VenueB.Id, ContactId = id, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });
        await App.WithDbAsync(async (db, _) =>
        {
            var host = await db.Users.SingleAsync(u => u.Id == world.Host.Id);
            host.Permissions = host.Permissions.Grant("Contact", Velvet.Api.Staff.Permissions.Destroy);
            await db.SaveChangesAsync();
        });

        (await Api.Delete($"/api/v1/contacts/{id}.json", ("auth_token", world.HostToken))).AssertError(403, "This contact can not be deleted");
        (await Api.Delete($"/api/v1/contacts/{id}.json", ("auth_token", world.AdminToken))).AssertError(403, "This contact can not be deleted");
        (await Api.Get($"/api/v1/contacts/{id}.json", ("auth_token", world.AdminToken))).AssertOk();
    }

    [DbFact]
    public async Task Each_write_records_its_origin_app_or_server_key()
    {
        var world = await TestWorld.CreateAsync(App);
        var fromAdminApp = IdOf(await CreateAsync(world.AdminToken, ("contact[first_name]", "A"), ("contact[email]", "a@example.com")));
        (await Api.Put($"/api/v1/contacts/{fromAdminApp}", ("auth_token", world.HostToken), ("contact[title]", "Dr"))).AssertOk();
        var fromServer = IdOf(await CreateAsync(world.ServerToken, ("contact[first_name]", "S"), ("contact[email]", "s@example.com")));

        var changes = await App.WithDbAsync((db, _) => db.ContactChanges.Where(c => c.CompanyId == world.Company.Id)
            .OrderBy(c => c.Id).ToListAsync());

        Assert.Equal(
            [(fromAdminApp, "create", "api", 1), (fromAdminApp, "update", "api", 2), (fromServer, "create", "api", ContactOrigin.ServerKeyOriginOffset + world.ServerKey.Id)],
            changes.Select(c => (c.ContactId, c.Action, c.Origin, c.OriginId)));
        Assert.All(changes, c => Assert.Equal(DateTimeKind.Utc, c.ChangedAt.Kind));
    }

    [DbFact]
    public async Task Demo_contacts_are_created_through_the_entities_with_tags_notes_owners_and_change_rows()
    {
        var world = await TestWorld.CreateAsync(App);
        await App.WithDbAsync((db, _) =>
            DemoContacts.SeedAsync(db, world.Company.Id, world.Admin.Id, [world.VenueA.Id, world.VenueB.Id], 12, DateTime.UtcNow, default));

        var list = (await Api.Get("/api/v1/contacts", ("auth_token", world.AdminToken), ("join_owners", "1"))).AssertOk().Json;
        Assert.Equal(12, list.GetArrayLength());
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("tags").GetArrayLength() == 2 && c.GetProperty("notes").GetArrayLength() == 1);
        Assert.All(list.EnumerateArray(), c => Assert.Single(c.GetProperty("contact_owners").EnumerateArray()));
        Assert.Equal(2, (await Api.Get("/api/v1/settings/tags", ("auth_token", world.AdminToken))).AssertOk().Json.GetArrayLength());
        var origins = await App.WithDbAsync((db, _) => db.ContactChanges.Where(c => c.CompanyId == world.Company.Id)
            .Select(c => new { c.Action, c.OriginId }).ToListAsync());
        Assert.Equal(12, origins.Count);
        Assert.All(origins, o => Assert.Equal(("create", ContactOrigin.Unknown), (o.Action, o.OriginId)));
    }

    [DbFact]
    public async Task Import_creates_the_vcards_contacts_and_skips_invalid_and_duplicate_cards()
    {
        var world = await TestWorld.CreateAsync(App);
        await CreateAsync(world.AdminToken, ("contact[first_name]", "Old"), ("contact[email]", "old@example.com"));
        const string vcf = "BEGIN:VCARD\nVERSION:3.0\nN:Smith;John\nEMAIL:john@example.com\nTEL:212.555.0100\nEND:VCARD\n"
            + "BEGIN:VCARD\nFN:Again Old\nEMAIL:OLD@example.com\nEND:VCARD\n"
            + "BEGIN:VCARD\nFN:No Way\nEND:VCARD\n"
            + "BEGIN:VCARD\nFN:Twice\nTEL:(212)555-0100\nEND:VCARD\n";

        var reply = (await Api.Post("/api/v1/contacts/import.json", ("auth_token", world.HostToken), ("contacts", vcf))).AssertOk().Json;
        Assert.Equal("File successfully uploaded", reply.GetProperty("message").GetString());

        var names = (await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken))).AssertOk().Json.EnumerateArray()
            .Select(c => c.GetProperty("name").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["John Smith", "Old "], names);
        (await Api.Post("/api/v1/contacts/import.json", ("auth_token", world.HostToken), ("contacts", "not a vcard"))).AssertError(400);
    }

    [DbFact]
    public async Task Import_skips_a_card_whose_text_the_database_cannot_hold_and_keeps_the_others()
    {
        var world = await TestWorld.CreateAsync(App);
        var vcf = "BEGIN:VCARD\nN:Smith;John\nEMAIL:john@example.com\nEND:VCARD\n"
            + $"BEGIN:VCARD\nN:Long;{new string('x', 101)}\nEMAIL:long@example.com\nEND:VCARD\n"
            + "BEGIN:VCARD\nN:Nul;Nina\nEMAIL:ni\0na@example.com\nEND:VCARD\n";
        using var form = new MultipartFormDataContent
        {
            { new StringContent(world.HostToken), "auth_token" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(vcf)), "contacts", "contacts.vcf" },
        };

        var reply = await Reply.From(await Api.Http.PostAsync("/api/v1/contacts/import.json", form));

        Assert.Equal("File successfully uploaded", reply.AssertOk().Json.GetProperty("message").GetString());
        var names = (await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken))).AssertOk().Json.EnumerateArray()
            .Select(c => c.GetProperty("name").GetString());
        Assert.Equal(["John Smith"], names);
    }

    [DbFact]
    public async Task Missing_contact_abilities_answer_401()
    {
        var world = await TestWorld.CreateAsync(App);
        await App.WithDbAsync(async (db, _) =>
        {
            var host = await db.Users.SingleAsync(u => u.Id == world.Host.Id);
            host.Permissions = new Velvet.Api.Staff.Permissions().Grant("Tag", "read");
            await db.SaveChangesAsync();
        });

        (await Api.Get("/api/v1/contacts", ("auth_token", world.HostToken))).AssertError(401);
        (await Api.Post("/api/v1/contacts", ("auth_token", world.HostToken), ("contact[first_name]", "J"), ("contact[email]", "j@example.com"))).AssertError(401);
    }
}

public sealed class ContactsEndpointsTests_Sqlite(SqliteApp app) : ContactsEndpointsTests(app), IClassFixture<SqliteApp>;

public sealed class ContactsEndpointsTests_Postgres(PostgresApp app) : ContactsEndpointsTests(app), IClassFixture<PostgresApp>;
