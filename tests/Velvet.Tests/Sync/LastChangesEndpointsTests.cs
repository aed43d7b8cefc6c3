using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Contacts;
using Velvet.Api.Notes;
using Velvet.Api.Notifications;
using Velvet.Api.Reservations;
using Velvet.Api.Staff;
using Velvet.Api.StaticTexts;
using Velvet.Api.Tags;
using Velvet.Api.Sync;
using Velvet.Api.Tasks;
using Velvet.Api.LogMethods;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

public abstract class LastChangesEndpointsTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task Seed_walkthrough_create_update_destroy_of_a_contact()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);

        var contact = await AddContactAsync(App, world);
        // Replies' timestamps have whole seconds and entries at the boundary second repeat: move past it.
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var second = await PullAsync(Api, world.AdminToken);
        Assert.Equal(0, second.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("message").ValueKind);
        var created = second.GetProperty("activity_log").EnumerateArray().Single(e => e.GetProperty("class_name").GetString() == "Contact");
        Assert.Equal("create", created.GetProperty("action").GetString());
        Assert.Equal(contact.Id, created.GetProperty("id").GetInt32());
        Assert.Equal("John ", created.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("0.0", created.GetProperty("data").GetProperty("total_spent").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dGMT[+-]\d\d:\d\d$", second.GetProperty("timestamp").GetString());
        var timestamp = second.GetProperty("timestamp").GetString()!;

        App.Clock.Advance(TimeSpan.FromSeconds(2));
        await Change(App, async db => (await db.Contacts.SingleAsync(c => c.Id == contact.Id)).FirstName = "Jack");
        var third = await PullAsync(Api, world.AdminToken, timestamp);
        var updated = Assert.Single(third.GetProperty("activity_log").EnumerateArray());
        Assert.Equal("update", updated.GetProperty("action").GetString());
        Assert.Equal("Jack ", updated.GetProperty("data").GetProperty("name").GetString());

        App.Clock.Advance(TimeSpan.FromSeconds(2));
        await Change(App, async db => db.Contacts.Remove(await db.Contacts.SingleAsync(c => c.Id == contact.Id)));
        var fourth = await PullAsync(Api, world.AdminToken, timestamp);
        Assert.Equal([("Contact", contact.Id, "update"), ("Contact", contact.Id, "destroy")], Entries(fourth));
        Assert.False(fourth.GetProperty("activity_log")[1].TryGetProperty("data", out _));
    }

    [DbFact]
    public async Task Every_status_one_message_is_the_seed_string()
    {
        var world = await TestWorld.CreateAsync(App);
        async Task<string?> Message(string token, params (string, string)[] form)
        {
            var reply = (await Api.Get("/api/v1/last_changes", [("auth_token", token), .. form])).AssertOk().Json;
            Assert.Equal(1, reply.GetProperty("status").GetInt32());
            return reply.GetProperty("message").GetString();
        }

        Assert.Equal("Unknown params", await Message(world.AdminToken));
        Assert.Equal("Invalid params", await Message(world.AdminToken, ("start_date", Epoch), ("options[Tag][start_date]", Epoch)));
        Assert.Equal("Invalid timestamp", await Message(world.AdminToken, ("start_date", "soon")));
        Assert.Equal("Invalid timestamp at Tag", await Message(world.AdminToken, ("options[Tag][start_date]", "soon")));
        Assert.Equal("Unknown device", await Message(world.ServerToken, ("start_date", Epoch)));
        Assert.Equal("No achievements at some classes", await Message(world.AdminToken, ("start_date", Epoch)));
        Assert.Equal("No achievements: 'Tag' ", await Message(world.AdminToken, ("options[Tag][start_date]", Epoch)));

        await AcknowledgeAsync(Api, world.AdminToken);
        var limit = App.Services.GetRequiredService<Velvet.Api.Sync.SyncOptions>().MaxEntries;
        await Change(App, db =>
        {
            var category = new TagCategory { CompanyId = world.Company.Id, Name = "Many" };
            db.TagCategories.Add(category);
            return Task.CompletedTask;
        });
        var categoryId = await App.WithDbAsync((db, _) => db.TagCategories.Where(c => c.CompanyId == world.Company.Id).Select(c => c.Id).SingleAsync());
        await Change(App, db =>
        {
            db.Tags.AddRange(Enumerable.Range(0, limit + 1).Select(i => new Tag { CompanyId = world.Company.Id, TagCategoryId = categoryId, Name = "t" + i }));
            return Task.CompletedTask;
        });
        Assert.Equal("Too many changes", await Message(world.AdminToken, ("options[Tag][start_date]", Epoch)));
    }

    [DbFact]
    public async Task A_qualification_reaches_only_users_of_its_venue_and_leaves_as_a_destroy_when_moved()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await AcknowledgeAsync(Api, world.HostToken);
        var contact = await AddContactAsync(App, world);
        var before = (await PullAsync(Api, world.HostToken)).GetProperty("timestamp").GetString()!;
        await Change(App, db =>
        {
            db.ContactQualifications.Add(new ContactQualification { CompanyId = world.Company.Id, ContactId = contact.Id, VenueId = world.VenueB.Id, Status = "qualified" });
            return Task.CompletedTask;
        });

        var host = await PullAsync(Api, world.HostToken);
        Assert.DoesNotContain(Entries(host), e => e.ClassName == "ContactQualification");
        var hostContact = host.GetProperty("activity_log").EnumerateArray().Last(e => e.GetProperty("class_name").GetString() == "Contact");
        Assert.Empty(hostContact.GetProperty("data").GetProperty("contact_qualifications").EnumerateArray());
        var admin = await PullAsync(Api, world.AdminToken);
        Assert.Contains(Entries(admin), e => e.ClassName == "ContactQualification" && e.Action == "create");
        var adminContact = admin.GetProperty("activity_log").EnumerateArray().Last(e => e.GetProperty("class_name").GetString() == "Contact");
        Assert.Single(adminContact.GetProperty("data").GetProperty("contact_qualifications").EnumerateArray());

        await Change(App, async db => (await db.ContactQualifications.SingleAsync(q => q.ContactId == contact.Id)).VenueId = world.VenueA.Id);
        await Change(App, async db => (await db.ContactQualifications.SingleAsync(q => q.ContactId == contact.Id)).VenueId = world.VenueB.Id);
        var hostAfter = Entries(await PullAsync(Api, world.HostToken, before)).Where(e => e.ClassName == "ContactQualification").ToList();
        Assert.Equal(["update", "destroy"], hostAfter.Select(e => e.Action));
    }

    [DbFact]
    public async Task Per_user_records_reach_only_their_user_and_a_reassigned_task_leaves_as_a_destroy()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await AcknowledgeAsync(Api, world.HostToken);
        var task = new CrmTask { CompanyId = world.Company.Id, UserId = world.Host.Id, OwnerId = world.Admin.Id, Kind = "call", CreatedAt = DateTime.UtcNow };
        await Change(App, db =>
        {
            db.Tasks.Add(task);
            db.Notifications.Add(new Notification { CompanyId = world.Company.Id, UserId = world.Admin.Id, Title = "Hi", CreatedAt = DateTime.UtcNow });
            return Task.CompletedTask;
        });
        var host = Entries(await PullAsync(Api, world.HostToken));
        Assert.Contains(("Task", task.Id, "create"), host);
        Assert.DoesNotContain(host, e => e.ClassName == "Notification");
        Assert.Contains(Entries(await PullAsync(Api, world.AdminToken)), e => e.ClassName == "Notification");

        await Change(App, async db => (await db.Tasks.SingleAsync(t => t.Id == task.Id)).UserId = world.Admin.Id);
        Assert.Equal(("Task", task.Id, "destroy"), Entries(await PullAsync(Api, world.HostToken)).Last(e => e.ClassName == "Task"));
        Assert.Equal(("Task", task.Id, "update"), Entries(await PullAsync(Api, world.AdminToken)).Last(e => e.ClassName == "Task"));
    }

    [DbFact]
    public async Task Children_update_their_parents_and_every_class_is_captured()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        var contact = await AddContactAsync(App, world);
        var mark = (await PullAsync(Api, world.AdminToken)).GetProperty("timestamp").GetString()!;
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var category = new TagCategory { CompanyId = world.Company.Id, Name = "Drinks" };
        await Change(App, db => { db.TagCategories.Add(category); return Task.CompletedTask; });
        var tag = new Tag { CompanyId = world.Company.Id, TagCategoryId = category.Id, Name = "Champagne" };
        var task = new CrmTask { CompanyId = world.Company.Id, UserId = world.Admin.Id, CreatedAt = DateTime.UtcNow };
        await Change(App, db =>
        {
            db.Tags.Add(tag);
            db.Tasks.Add(task);
            db.Reservations.Add(new Reservation { CompanyId = world.Company.Id, VenueId = world.VenueA.Id, ContactId = contact.Id, CountMales = 2, Minimum = 500m });
            return Task.CompletedTask;
        });
        await Change(App, db =>
        {
            db.ContactTags.Add(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tag.Id });
            db.Notes.Add(new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = "Likes bubbles", UserId = world.Admin.Id });
            db.LogMethods.Add(new LogMethod { CompanyId = world.Company.Id, TaskId = task.Id, ContactId = contact.Id, Kind = "call", UserId = world.Admin.Id });
            return Task.CompletedTask;
        });

        var reply = await PullAsync(Api, world.AdminToken, mark);
        var classes = Entries(reply).Select(e => e.ClassName).ToHashSet();
        Assert.Superset(new HashSet<string> { "TagCategory", "Tag", "Task", "Reservation", "Note", "LogMethod", "Contact" }, classes);
        var lastContact = reply.GetProperty("activity_log").EnumerateArray().Last(e => e.GetProperty("class_name").GetString() == "Contact").GetProperty("data");
        Assert.Equal([tag.Id], lastContact.GetProperty("tags").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal("Likes bubbles", Assert.Single(lastContact.GetProperty("notes").EnumerateArray()).GetProperty("text").GetString());
        var lastCategory = reply.GetProperty("activity_log").EnumerateArray().Last(e => e.GetProperty("class_name").GetString() == "TagCategory").GetProperty("data");
        Assert.Equal("Champagne", Assert.Single(lastCategory.GetProperty("tags").EnumerateArray()).GetProperty("name").GetString());
        var lastTask = reply.GetProperty("activity_log").EnumerateArray().Last(e => e.GetProperty("class_name").GetString() == "Task").GetProperty("data");
        Assert.Single(lastTask.GetProperty("log_methods").EnumerateArray());

        // Deleting the category cascades to its tag and the contact's tag link: all captured.
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var mark2 = (await PullAsync(Api, world.AdminToken)).GetProperty("timestamp").GetString()!;
        await Change(App, async db => db.TagCategories.Remove(await db.TagCategories.SingleAsync(c => c.Id == category.Id)));
        var after = Entries(await PullAsync(Api, world.AdminToken, mark2));
        Assert.Contains(("Tag", tag.Id, "destroy"), after);
        Assert.Contains(("TagCategory", category.Id, "destroy"), after);
        Assert.Contains(("Contact", contact.Id, "update"), after);
    }

    [DbFact]
    public async Task Venue_or_permission_changes_expire_the_users_acknowledgments()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.HostToken);
        await AcknowledgeAsync(Api, world.AdminToken);
        Assert.Equal(0, (await PullAsync(Api, world.HostToken)).GetProperty("status").GetInt32());

        await Change(App, db =>
        {
            db.UserVenues.Add(new UserVenue { CompanyId = world.Company.Id, UserId = world.Host.Id, VenueId = world.VenueB.Id });
            return Task.CompletedTask;
        });
        Assert.Equal("No achievements at some classes", (await PullAsync(Api, world.HostToken)).GetProperty("message").GetString());
        Assert.Equal(0, (await PullAsync(Api, world.AdminToken)).GetProperty("status").GetInt32());

        await AcknowledgeAsync(Api, world.HostToken);
        await Change(App, async db => (await db.Users.SingleAsync(u => u.Id == world.Host.Id)).Permissions = new Permissions().Grant("Contact", Permissions.Read));
        Assert.Equal("No achievements at some classes", (await PullAsync(Api, world.HostToken)).GetProperty("message").GetString());
    }

    [DbFact]
    public async Task A_contact_update_logs_the_stored_contact_with_what_others_changed_since_it_was_loaded()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        var contact = await AddContactAsync(App, world, firstName: "John");
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Velvet.Api.Storage.VelvetDb>();
        db.Tenant.UseSystem();
        var loaded = await db.Contacts.SingleAsync(c => c.Id == contact.Id);

        // Another writer changes a column this context does not touch, and adds a note, after the load.
        await Change(App, async other =>
        {
            (await other.Contacts.SingleAsync(c => c.Id == contact.Id)).FirstName = "Jonathan";
            other.Notes.Add(new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = "Table by the window", UserId = world.Admin.Id });
        });
        loaded.LastName = "Doe";
        await db.SaveChangesAsync();

        var last = (await PullAsync(Api, world.AdminToken)).GetProperty("activity_log").EnumerateArray()
            .Last(e => e.GetProperty("class_name").GetString() == "Contact").GetProperty("data");
        Assert.Equal("Jonathan", last.GetProperty("first_name").GetString());
        Assert.Equal("Doe", last.GetProperty("last_name").GetString());
        Assert.Equal("Table by the window", Assert.Single(last.GetProperty("notes").EnumerateArray()).GetProperty("text").GetString());
    }

    [DbFact]
    public async Task A_contact_saved_with_more_notes_than_one_batch_holds_is_logged_with_every_note()
    {
        // PostgreSQL reads the contact on one of the save's batches (the last); notes the database receives in any other
        // batch must not be missing from its entry.
        var world = await TestWorld.CreateAsync(App);
        var contact = await AddContactAsync(App, world);
        const int Notes = 1_500;
        await Change(App, async db =>
        {
            (await db.Contacts.SingleAsync(c => c.Id == contact.Id)).LastName = "Many";
            db.Notes.AddRange(Enumerable.Range(0, Notes).Select(i => new Note { CompanyId = world.Company.Id, ContactId = contact.Id, Text = "Note " + i, UserId = world.Admin.Id }));
        });

        var data = await App.WithDbAsync((db, _) => db.ChangeLog
            .Where(e => e.ClassName == "Contact" && e.RecordId == contact.Id).OrderByDescending(e => e.Id).Select(e => e.Data).FirstAsync());
        using var logged = JsonDocument.Parse(data!);
        Assert.Equal("Many", logged.RootElement.GetProperty("last_name").GetString());
        Assert.Equal(Notes, logged.RootElement.GetProperty("notes").GetArrayLength());
    }

    [DbFact]
    public async Task Saves_one_after_another_on_one_context_are_each_committed_and_logged()
    {
        // Capture commits the transaction it opened for a save, and wakes long polls; the context's next save opens and
        // commits its own.
        var world = await TestWorld.CreateAsync(App);
        var signal = App.Services.GetRequiredService<SyncSignal>();
        await AcknowledgeAsync(Api, world.AdminToken);
        var contact = await AddContactAsync(App, world);
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Velvet.Api.Storage.VelvetDb>();
        db.Tenant.UseSystem();
        var loaded = await db.Contacts.SingleAsync(c => c.Id == contact.Id);
        string[] names = ["First", "Second", "Third"];
        foreach (var name in names)
        {
            loaded.LastName = name;
            var woken = signal.NextLocalCommit;
            await db.SaveChangesAsync();
            Assert.True(woken.IsCompleted);
            Assert.Null(db.Database.CurrentTransaction);
            Assert.Equal(name, await App.WithDbAsync((other, _) => other.Contacts.Where(c => c.Id == contact.Id).Select(c => c.LastName).SingleAsync()));
        }

        var logged = await App.WithDbAsync((other, _) => other.ChangeLog.Where(e => e.ClassName == "Contact" && e.RecordId == contact.Id && e.Action == "update")
            .OrderBy(e => e.Id).Select(e => e.Data).ToListAsync());
        Assert.Equal(names, logged.Select(data => JsonDocument.Parse(data!).RootElement.GetProperty("last_name").GetString()));
    }

    [DbFact]
    public async Task A_captured_update_through_the_api_logs_no_warning()
    {
        var world = await TestWorld.CreateAsync(App);
        var contact = await AddContactAsync(App, world);
        var before = App.Logs.WarningsAndErrors.Count;

        (await Api.Put($"/api/v1/contacts/{contact.Id}.json", ("auth_token", world.AdminToken), ("contact[first_name]", "Jack"))).AssertOk();

        Assert.Empty(App.Logs.WarningsAndErrors.Skip(before));
        await App.WithDbAsync(async (db, _) => Assert.Equal("update",
            (await db.Set<ChangeLogEntry>().Where(e => e.RecordId == contact.Id && e.ClassName == "Contact").OrderBy(e => e.Id).LastAsync()).Action));
    }

    [DbFact]
    public async Task The_watermark_stays_below_a_writer_whose_transaction_is_still_open()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Velvet.Api.Storage.VelvetDb>();
        db.Tenant.UseSystem();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "privacy", Text = "Late" });
        await db.SaveChangesAsync();

        App.Clock.Advance(TimeSpan.FromSeconds(5));
        var during = await PullAsync(Api, world.AdminToken);
        Assert.DoesNotContain(Entries(during), e => e.ClassName == "StaticText");
        await transaction.CommitAsync();

        var after = await PullAsync(Api, world.AdminToken, during.GetProperty("timestamp").GetString()!);
        Assert.Contains(Entries(after), e => e.ClassName == "StaticText" && e.Action == "create");
    }
}

public abstract class LastChangesBeyondSeedTests(VelvetApp app) : IntegrationTest(app)
{
    [DbFact]
    public async Task One_save_of_more_records_than_one_log_statement_holds_logs_every_one()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await Change(App, db =>
        {
            db.StaticTexts.AddRange(Enumerable.Range(0, 1_201).Select(i => new StaticText { CompanyId = world.Company.Id, Type = "bulk" + i, Text = "x" }));
            return Task.CompletedTask;
        });

        var created = Entries(await PullAsync(Api, world.AdminToken)).Where(e => e.ClassName == "StaticText" && e.Action == "create").Select(e => e.Id).ToList();
        var stored = await App.WithDbAsync((db, _) => db.StaticTexts.Where(t => t.CompanyId == world.Company.Id).Select(t => t.Id).ToListAsync());
        Assert.Equal(1_201, created.Distinct().Count());
        Assert.Equal(stored.Order(), created.Order());
    }

    [DbFact]
    public async Task Limit_pages_a_delta_by_position_and_old_clients_see_no_cursor_key()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await Change(App, db =>
        {
            db.StaticTexts.AddRange(Enumerable.Range(0, 5).Select(i => new StaticText { CompanyId = world.Company.Id, Type = "t" + i, Text = "x" }));
            return Task.CompletedTask;
        });
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await PullAsync(Api, world.AdminToken)).TryGetProperty("next_cursor", out _));

        var seen = new List<int>();
        string? cursor = null;
        string? timestamp = null;
        do
        {
            List<(string, string)> form = [("auth_token", world.AdminToken), ("options[StaticText][start_date]", Epoch), ("limit", "2")];
            if (cursor is not null)
            {
                form.Add(("cursor", cursor));
            }

            var reply = (await Api.Get("/api/v1/last_changes", [.. form])).AssertOk().Json;
            Assert.Equal(0, reply.GetProperty("status").GetInt32());
            Assert.True(reply.GetProperty("activity_log").GetArrayLength() <= 2);
            seen.AddRange(Entries(reply).Select(e => e.Id));
            timestamp ??= reply.GetProperty("timestamp").GetString();
            Assert.Equal(timestamp, reply.GetProperty("timestamp").GetString());
            cursor = reply.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal("Invalid params", (await Api.Get("/api/v1/last_changes", ("auth_token", world.AdminToken), ("start_date", Epoch), ("limit", "0")))
            .Json.GetProperty("message").GetString());
    }

    [DbFact]
    public async Task Replies_are_compressed_when_the_client_accepts_gzip_or_brotli()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        foreach (var encoding in new[] { "gzip", "br" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/last_changes.json")
            {
                Content = new FormUrlEncodedContent([new("auth_token", world.AdminToken), new("start_date", Epoch)]),
            };
            request.Headers.AcceptEncoding.ParseAdd(encoding);
            using var response = await Api.Http.SendAsync(request);
            Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
            await using var body = await response.Content.ReadAsStreamAsync();
            await using Stream plain = encoding == "br"
                ? new System.IO.Compression.BrotliStream(body, System.IO.Compression.CompressionMode.Decompress)
                : new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress);
            var json = await JsonDocument.ParseAsync(plain);
            Assert.Equal(0, json.RootElement.GetProperty("status").GetInt32());
        }
    }

    [DbFact]
    public async Task A_reply_of_many_flushes_streams_every_entry_in_order_with_qualifications_filtered_per_viewer()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        await AcknowledgeAsync(Api, world.HostToken);
        var contacts = await AddLargeContactsAsync(world, 150, "stream", contact => contact.Qualifications =
        [
            new ContactQualification { CompanyId = world.Company.Id, VenueId = world.VenueA.Id, Status = "vip" },
            new ContactQualification { CompanyId = world.Company.Id, VenueId = world.VenueB.Id, Status = "qualified" },
        ]);

        List<int> Venues(JsonElement data) =>
            [.. data.GetProperty("contact_qualifications").EnumerateArray().Select(q => q.GetProperty("venue_id").GetInt32())];
        foreach (var (token, venues) in new[] { (world.HostToken, new[] { world.VenueA.Id }), (world.AdminToken, new[] { world.VenueA.Id, world.VenueB.Id }) })
        {
            var reply = await PullAsync(Api, token);
            var lastData = reply.GetProperty("activity_log").EnumerateArray().Where(e => e.GetProperty("class_name").GetString() == "Contact")
                .GroupBy(e => e.GetProperty("id").GetInt32()).ToDictionary(g => g.Key, g => g.Last().GetProperty("data"));
            Assert.Equal(contacts.Select(c => c.Id), lastData.Keys.Where(id => contacts.Any(c => c.Id == id)));
            Assert.All(contacts, c => Assert.Equal(venues.Order(), Venues(lastData[c.Id]).Order()));
            Assert.Equal(JsonValueKind.Null, reply.GetProperty("message").ValueKind);
        }
    }

    [DbFact]
    public async Task A_large_reply_is_handed_on_in_pieces_while_the_log_is_read_never_held_whole()
    {
        var world = await TestWorld.CreateAsync(App);
        await AddLargeContactsAsync(world, 1000, "piece");

        var body = new FlushRecordingStream();
        await App.WithDbAsync(async (db, _) =>
        {
            var log = db.Set<ChangeLogEntry>().Where(e => e.CompanyId == world.Company.Id).OrderBy(e => e.Id);
            var rows = await LogRows.OpenAsync(db, log, CancellationToken.None);
            Assert.True(await rows.ReadAsync(CancellationToken.None));
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            context.Response.Body = body;
            await LastChangesReply.Entries(App.Clock.GetUtcNow().UtcDateTime, TimeZoneInfo.Utc, null, rows, null, [world.VenueA.Id, world.VenueB.Id], longPoll: false)
                .ExecuteAsync(context);
        });

        using var json = JsonDocument.Parse(body.ToArray());
        Assert.True(json.RootElement.GetProperty("activity_log").GetArrayLength() >= 1000);
        // About 1.4 MB in pieces of 256 KB (plus the entry that crossed the mark): the reply is sent as it is read.
        Assert.True(body.Pieces.Count >= body.Length / (256 * 1024), $"{body.Pieces.Count} pieces for {body.Length} bytes");
        Assert.All(body.Pieces, piece => Assert.InRange(piece, 1, (256 * 1024) + 8192));
    }

    /// <summary>
    /// A device's timestamp past every entry the set-up logged (replies repeat their boundary second's entries), with
    /// the clock moved on again, so what a test changes next is all a poll from it can see.
    /// </summary>
    private async Task<string> MarkPastTheSetUpAsync(string token)
    {
        await AcknowledgeAsync(Api, token);
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var mark = (await PullAsync(Api, token)).GetProperty("timestamp").GetString()!;
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        return mark;
    }

    /// <summary>Contacts of about 1.4 KB of entry data each, added in one save.</summary>
    private async Task<List<Contact>> AddLargeContactsAsync(TestWorld world, int count, string name, Action<Contact>? more = null)
    {
        var contacts = Enumerable.Range(0, count).Select(i => new Contact
        {
            CompanyId = world.Company.Id,
            FirstName = name + i,
            Address = new string('x', 400),
            Email = $"{name}_{i}_{Guid.NewGuid():N}@example.com",
            CreatedAt = App.Clock.GetUtcNow().UtcDateTime,
            UpdatedAt = App.Clock.GetUtcNow().UtcDateTime,
        }).ToList();
        await Change(App, db =>
        {
            foreach (var contact in contacts)
            {
                more?.Invoke(contact);
                contact.RefreshSearchKeys();
                db.Contacts.Add(contact);
            }

            return Task.CompletedTask;
        });
        return contacts;
    }

    /// <summary>A response body that remembers how many bytes each flush handed on.</summary>
    private sealed class FlushRecordingStream : MemoryStream
    {
        private long _flushedAt;

        public List<long> Pieces { get; } = [];

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            if (Length > _flushedAt)
            {
                Pieces.Add(Length - _flushedAt);
                _flushedAt = Length;
            }

            return Task.CompletedTask;
        }
    }

    [DbFact]
    public async Task A_waiting_device_hears_at_once_that_its_users_permissions_changed()
    {
        var world = await TestWorld.CreateAsync(App);
        var mark = await MarkPastTheSetUpAsync(world.HostToken);

        // A permission change logs nothing a device reads, but it ends the device's acknowledgments.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var poll = Api.Get("/api/v1/last_changes", ("auth_token", world.HostToken), ("start_date", mark), ("wait", "20"));
        await Task.Delay(300);
        await Change(App, async db => (await db.Users.SingleAsync(u => u.Id == world.Host.Id)).Permissions = new Permissions().Grant("Contact", Permissions.Read));
        var reply = await poll;
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"answered after {started.Elapsed}");
        Assert.Equal("No achievements at some classes", reply.Json.GetProperty("message").GetString());
    }

    [DbFact]
    public async Task A_long_poll_that_sends_its_timestamp_back_waits_for_what_is_new_instead_of_repeating_it()
    {
        var world = await TestWorld.CreateAsync(App);
        await AcknowledgeAsync(Api, world.AdminToken);
        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var mark = (await PullAsync(Api, world.AdminToken)).GetProperty("timestamp").GetString()!;
        await Change(App, db =>
        {
            db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "once", Text = "delivered once" });
            return Task.CompletedTask;
        });
        // Past PostgreSQL's allowance for clock skew, and most often still within the change's second.
        App.Clock.Advance(TimeSpan.FromMilliseconds(new SyncOptions().ClockSkewAllowanceMilliseconds + 100));

        var first = (await Api.Get("/api/v1/last_changes", ("auth_token", world.AdminToken), ("start_date", mark), ("wait", "5"))).AssertOk().Json;
        Assert.Contains(Entries(first), e => e.ClassName == "StaticText");
        var timestamp = first.GetProperty("timestamp").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}GMT[+-]\d\d:\d\d$", timestamp);

        // The timestamp to the tick starts the next poll after what the first one delivered: it waits, and answers empty.
        var second = (await Api.Get("/api/v1/last_changes", ("auth_token", world.AdminToken), ("start_date", timestamp), ("wait", "1"))).AssertOk().Json;
        Assert.Equal(0, second.GetProperty("status").GetInt32());
        Assert.Empty(Entries(second));
    }

    [DbFact]
    public async Task Wait_returns_as_soon_as_a_visible_change_commits_or_empty_at_the_deadline()
    {
        var world = await TestWorld.CreateAsync(App);
        var mark = await MarkPastTheSetUpAsync(world.AdminToken);

        var empty = await Api.Get("/api/v1/last_changes", ("auth_token", world.AdminToken), ("start_date", mark), ("wait", "1"));
        Assert.Equal(0, empty.Json.GetProperty("activity_log").GetArrayLength());

        var started = System.Diagnostics.Stopwatch.StartNew();
        var poll = Api.Get("/api/v1/last_changes", ("auth_token", world.AdminToken), ("start_date", mark), ("wait", "20"));
        await Task.Delay(300);
        await Change(App, db =>
        {
            db.StaticTexts.Add(new StaticText { CompanyId = world.Company.Id, Type = "wake", Text = "now" });
            return Task.CompletedTask;
        });
        var reply = await poll;
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"woke after {started.Elapsed}");
        Assert.Contains(Entries(reply.Json), e => e.ClassName == "StaticText");
    }
}

public sealed class LastChangesBeyondSeedTests_Sqlite(SqliteApp app) : LastChangesBeyondSeedTests(app), IClassFixture<SqliteApp>;

public sealed class LastChangesBeyondSeedTests_Postgres(PostgresApp app) : LastChangesBeyondSeedTests(app), IClassFixture<PostgresApp>;

public sealed class LastChangesEndpointsTests_Sqlite(SqliteApp app) : LastChangesEndpointsTests(app), IClassFixture<SqliteApp>;

public sealed class LastChangesEndpointsTests_Postgres(PostgresApp app) : LastChangesEndpointsTests(app), IClassFixture<PostgresApp>;
