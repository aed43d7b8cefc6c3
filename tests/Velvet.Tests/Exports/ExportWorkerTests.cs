using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Contacts;
using Velvet.Api.Exports;
using Velvet.Api.Forms;
using Velvet.Api.Staff;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Exports;

public abstract class ExportWorkerTests(VelvetApp app) : IntegrationTest(app)
{
    private ExportWorker Worker => App.Services.GetRequiredService<ExportWorker>();

    private async Task<(TestWorld World, V2Client V2)> ArrangeAsync(string timeZone = "America/Los_Angeles")
    {
        var world = await TestWorld.CreateAsync(App, timeZone);
        return (world, new V2Client(Api, App, world.V2User, world.V2Secret));
    }

    /// <summary>A contact and its change rows, inserted directly: capture itself belongs to the contacts slice.</summary>
    private async Task<int> AddContactAsync(TestWorld world, Contact contact, params (string Origin, int OriginId, DateTime ChangedAtUtc)[] changes)
    {
        return await App.WithDbAsync(async (db, _) =>
        {
            contact.CompanyId = world.Company.Id;
            contact.CreatedAt = new DateTime(2012, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            contact.UpdatedAt = contact.CreatedAt;
            contact.RefreshSearchKeys();
            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            foreach (var (origin, originId, at) in changes)
            {
                db.ContactChanges.Add(new ContactChange
                {
                    CompanyId = world.Company.Id, ContactId = contact.Id, Action = "update", Origin = origin, OriginId = originId, ChangedAt = at,
                });
            }

            await db.SaveChangesAsync();
            return contact.Id;
        });
    }

    private static DateTime Utc(string text) => DateTime.SpecifyKind(DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private async Task<ExportJob> RunJobAsync(int id)
    {
        for (var i = 0; i < 50; i++)
        {
            var job = await App.WithDbAsync((db, _) => db.ExportJobs.AsNoTracking().SingleAsync(j => j.Id == id));
            if (job.Status is ExportStatus.Done or ExportStatus.Error)
            {
                return job;
            }

            await Worker.RunOnceAsync(default);
        }

        throw new InvalidOperationException($"Export {id} did not finish");
    }

    private async Task DrainAsync()
    {
        while (await Worker.RunOnceAsync(default))
        {
        }
    }

    private static Dictionary<string, object> Request(string origin, int[] originIds, string start, string end, string[] fields,
        string? delimiter = null, int? header = null, string? language = null)
    {
        var request = new Dictionary<string, object>
        {
            ["distribution_method"] = "local",
            ["origin"] = origin,
            ["origin_id"] = originIds.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            ["time_range"] = new[] { start, end },
            ["contact_fields"] = fields,
        };
        if (delimiter is not null)
        {
            request["delimiter"] = delimiter;
        }

        if (header is not null)
        {
            request["add_field_names_header"] = header;
        }

        if (language is not null)
        {
            request["language"] = language;
        }

        return request;
    }

    [DbFact]
    public async Task The_seed_example_with_local_delivery_builds_the_file_and_serves_it()
    {
        var (world, v2) = await ArrangeAsync();
        var ada = await AddContactAsync(world, new Contact { FirstName = "Ada", LastName = "Lovelace", Email = "ada@example.com" },
            ("form", 123, Utc("2012-03-01T12:00:00")), ("form", 123, Utc("2012-03-02T12:00:00")));
        await AddContactAsync(world, new Contact { FirstName = "Other", Email = "other@example.com" }, ("form", 124, Utc("2012-03-01T12:00:00")));
        var bob = await AddContactAsync(world, new Contact { FirstName = "Bob", LastName = "Semicolon;", Email = null },
            ("form", 123, Utc("2012-04-02T12:00:00")));

        var request = ExportsEndpointsTests.SeedRequest();
        var id = (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Ok().GetProperty("id").GetInt32();
        var job = await RunJobAsync(id);

        Assert.Equal(ExportStatus.Done, job.Status);
        Assert.Equal(2, job.RowCount);
        Assert.Equal(100, job.Progress);
        var expected = $"user_id;First Name;E-mail;Last Name\r\n{ada};Ada;ada@example.com;Lovelace\r\n{bob};Bob;;\"Semicolon;\"\r\n";
        var reply = await v2.Get($"/api/v2/export/{id}/data");
        Assert.Equal(200, reply.Code);
        Assert.Equal("text/csv", reply.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, reply.Text);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), await reply.Response.Content.ReadAsByteArrayAsync());

        var status = (await v2.Get($"/api/v2/export/{id}")).AssertV2Ok();
        Assert.Equal("done", status.GetProperty("status").GetString());
        Assert.Equal(2, status.GetProperty("row_count").GetInt32());
        Assert.Equal($"velvet_changes_{id}.csv", status.GetProperty("file_name").GetString());
    }

    [DbFact]
    public async Task The_seed_example_as_written_exports_field_106533_as_the_contacts_tags()
    {
        var (world, v2) = await ArrangeAsync();
        var ada = await AddContactAsync(world, new Contact { FirstName = "Ada", Email = "ada@example.com" }, ("form", 123, Utc("2012-03-01T12:00:00")));
        var bob = await AddContactAsync(world, new Contact { FirstName = "Bob" }, ("form", 123, Utc("2012-03-02T12:00:00")));
        await TagAsync(world, ada, "VIP", "Regular", "=cmd");

        var request = ExportsEndpointsTests.SeedRequest();
        request["contact_fields"] = new[] { "1", "3", "106533" };
        var id = (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Ok().GetProperty("id").GetInt32();
        var job = await RunJobAsync(id);

        Assert.Equal(ExportStatus.Done, job.Status);
        // Tags by name, "; "-joined: the delimiter is ';', so the cell is quoted; a formula-like first tag is neutralised.
        Assert.Equal($"user_id;First Name;E-mail;Tags\r\n{ada};Ada;ada@example.com;\"'=cmd; Regular; VIP\"\r\n{bob};Bob;;\r\n",
            (await v2.Get($"/api/v2/export/{id}/data")).Text);
    }

    [DbFact]
    public async Task Owners_and_qualifications_are_listed_per_venue_in_german_without_other_companies_rows()
    {
        var (world, v2) = await ArrangeAsync();
        var (other, _) = await ArrangeAsync();
        var ada = await AddContactAsync(world, new Contact { FirstName = "Ada" }, ("api", 1, Utc("2012-03-01T12:00:00")));
        await TagAsync(other, ada, "Foreign");
        await App.WithDbAsync(async (db, _) =>
        {
            db.Set<ContactOwner>().AddRange(
                new ContactOwner { CompanyId = world.Company.Id, ContactId = ada, VenueId = world.VenueB.Id, UserId = world.Host.Id },
                new ContactOwner { CompanyId = world.Company.Id, ContactId = ada, VenueId = world.VenueA.Id, UserId = world.Admin.Id });
            db.Set<ContactQualification>().AddRange(
                new ContactQualification { CompanyId = world.Company.Id, ContactId = ada, VenueId = world.VenueA.Id, Status = "qualified" },
                new ContactQualification { CompanyId = world.Company.Id, ContactId = ada, VenueId = world.VenueB.Id, Status = "disqualified" });
            await db.SaveChangesAsync();
        });

        var id = (await v2.Post("/api/v2/contact/getchanges",
                Request("api", [1], "2012-03-01", "2012-03-01", ["106531", "106532", "106533"], header: 1, language: "de")))
            .AssertV2Ok().GetProperty("id").GetInt32();
        await RunJobAsync(id);

        var venues = new[] { (world.VenueA, world.Admin, "qualified"), (world.VenueB, world.Host, "disqualified") }
            .OrderBy(v => v.Item1.Name, StringComparer.Ordinal).ToList();
        var owners = string.Join("; ", venues.Select(v => $"{v.Item1.Name}: {(v.Item2.FirstName + " " + v.Item2.LastName).Trim()}"));
        var qualifications = string.Join("; ", venues.Select(v => $"{v.Item1.Name}: {v.Item3}"));
        Assert.Equal($"user_id,Betreuer,Qualifizierungen,Tags\r\n{ada},{owners},{qualifications},\r\n",
            (await v2.Get($"/api/v2/export/{id}/data")).Text);
    }

    [DbFact]
    public async Task A_form_listed_by_the_form_catalog_selects_the_contacts_that_form_changed()
    {
        var (world, v2) = await ArrangeAsync();
        var website = await AddFormAsync(world, "Website sign-up");
        var door = await AddFormAsync(world, "Door tablet");
        var formId = (await v2.Get("/api/v2/form")).AssertV2Ok()[0].GetProperty("id").GetInt32();
        Assert.Equal(website.Form.Id, formId);

        var signedUp = await AddContactAsync(world, new Contact { FirstName = "Signed", LastName = "Up" },
            (ContactOrigin.Form, formId, Utc("2012-06-01T19:00:00")));
        await AddContactAsync(world, new Contact { FirstName = "At the door" },
            (ContactOrigin.Form, door.Form.Id, Utc("2012-06-01T19:00:00")));
        // The same number as an API source is another origin.
        await AddContactAsync(world, new Contact { FirstName = "By API" }, (ContactOrigin.Api, formId, Utc("2012-06-01T19:00:00")));

        var request = Request(ContactOrigin.Form, [formId], "2012-06-01", "2012-06-01", ["1", "2"]);
        var id = (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Ok().GetProperty("id").GetInt32();
        var job = await RunJobAsync(id);

        Assert.Equal(ExportStatus.Done, job.Status);
        Assert.Equal($"{signedUp},Signed,Up\r\n", (await v2.Get($"/api/v2/export/{id}/data")).Text);
    }

    private Task<(SignupForm Form, string Token)> AddFormAsync(TestWorld world, string name) =>
        App.WithDbAsync((_, services) =>
            services.GetRequiredService<Accounts>().AddSignupFormAsync(world.Company.Id, name, null, null, default));

    /// <summary>Tags of <paramref name="world"/>'s company, bound to the contact.</summary>
    private Task TagAsync(TestWorld world, int contactId, params string[] names) => App.WithDbAsync(async (db, _) =>
    {
        var category = new Velvet.Api.Tags.TagCategory { CompanyId = world.Company.Id, Name = "Guests" };
        db.Set<Velvet.Api.Tags.TagCategory>().Add(category);
        await db.SaveChangesAsync();
        foreach (var name in names)
        {
            var tag = new Velvet.Api.Tags.Tag { CompanyId = world.Company.Id, TagCategoryId = category.Id, Name = name };
            db.Set<Velvet.Api.Tags.Tag>().Add(tag);
            await db.SaveChangesAsync();
            db.Set<Velvet.Api.Tags.ContactTag>().Add(new Velvet.Api.Tags.ContactTag { CompanyId = world.Company.Id, ContactId = contactId, TagId = tag.Id });
        }

        await db.SaveChangesAsync();
    });

    [DbFact]
    public async Task Days_are_whole_days_in_the_company_zone_with_both_ends_included()
    {
        // Los Angeles is UTC-8 in February: 2012-02-09 00:00 local is 08:00 UTC.
        var (world, v2) = await ArrangeAsync("America/Los_Angeles");
        await AddContactAsync(world, new Contact { FirstName = "Before" }, ("api", 1, Utc("2012-02-09T07:59:59")));
        var first = await AddContactAsync(world, new Contact { FirstName = "First" }, ("api", 1, Utc("2012-02-09T08:00:00")));
        var last = await AddContactAsync(world, new Contact { FirstName = "Last" }, ("api", 2, Utc("2012-02-11T07:59:59")));
        await AddContactAsync(world, new Contact { FirstName = "After" }, ("api", 1, Utc("2012-02-11T08:00:00")));
        await AddContactAsync(world, new Contact { FirstName = "Form" }, ("form", 1, Utc("2012-02-10T12:00:00")));

        var id = (await v2.Post("/api/v2/contact/getchanges", Request("api", [1, 2], "2012-02-09", "2012-02-10", ["1"])))
            .AssertV2Ok().GetProperty("id").GetInt32();
        await RunJobAsync(id);

        Assert.Equal($"{first},First\r\n{last},Last\r\n", (await v2.Get($"/api/v2/export/{id}/data")).Text);
    }

    [DbFact]
    public async Task Header_in_german_formulas_neutralised_quotes_doubled_and_deleted_contacts_left_out()
    {
        var (world, v2) = await ArrangeAsync("Europe/Berlin");
        var key = ContactOrigin.ServerKeyOriginOffset + world.ServerKey.Id;
        var evil = await AddContactAsync(world, new Contact { FirstName = "=HYPERLINK(\"x\")", LastName = "@me", City = "Köln, \"Altstadt\"" },
            ("api", key, Utc("2012-05-01T10:00:00")));
        var plus = await AddContactAsync(world, new Contact { FirstName = "+1", LastName = "-2", City = "line\nbreak" },
            ("api", key, Utc("2012-05-01T11:00:00")), ("api", key, Utc("2012-05-01T12:00:00")));
        var gone = await AddContactAsync(world, new Contact { FirstName = "Gone" }, ("api", key, Utc("2012-05-01T10:00:00")));
        await App.WithDbAsync(async (db, _) =>
        {
            db.Contacts.Remove(await db.Contacts.SingleAsync(c => c.Id == gone));
            await db.SaveChangesAsync();
        });

        var id = (await v2.Post("/api/v2/contact/getchanges",
                Request("api", [key], "2012-05-01", "2012-05-01", ["2", "1", "17"], delimiter: ",", header: 1, language: "de")))
            .AssertV2Ok().GetProperty("id").GetInt32();
        var job = await RunJobAsync(id);

        Assert.Equal(2, job.RowCount);
        Assert.Equal(
            "user_id,Nachname,Vorname,Stadt\r\n"
            + $"{evil},'@me,\"'=HYPERLINK(\"\"x\"\")\",\"Köln, \"\"Altstadt\"\"\"\r\n"
            + $"{plus},'-2,'+1,\"line\nbreak\"\r\n",
            (await v2.Get($"/api/v2/export/{id}/data")).Text);

        // offset/limit count records: the quoted line break stays inside its row; the header always comes first.
        Assert.Equal($"user_id,Nachname,Vorname,Stadt\r\n{plus},'-2,'+1,\"line\nbreak\"\r\n",
            (await v2.Get($"/api/v2/export/{id}/data?offset=1&limit=1")).Text);
        Assert.Equal("user_id,Nachname,Vorname,Stadt\r\n", (await v2.Get($"/api/v2/export/{id}/data?offset=2")).Text);
    }

    [DbFact]
    public async Task Dates_numbers_and_flags_are_written_invariant_and_times_in_the_company_zone()
    {
        var (world, v2) = await ArrangeAsync("Europe/Berlin");
        var id = await AddContactAsync(world,
            new Contact
            {
                FirstName = "Typed", Birthdate = new DateOnly(1990, 12, 31), Nurtured = true, GroupId = -7, CampaignsCount = 12,
                LastUpdate = Utc("2012-07-01T22:30:05"),
            },
            ("api", 1, Utc("2012-07-01T10:00:00")));
        var plain = await AddContactAsync(world, new Contact { FirstName = "Plain" }, ("api", 1, Utc("2012-07-01T11:00:00")));

        var export = (await v2.Post("/api/v2/contact/getchanges",
                Request("api", [1], "2012-07-01", "2012-07-01", ["7", "24", "25", "26", "27", "28", "1", "1"], header: 1)))
            .AssertV2Ok().GetProperty("id").GetInt32();
        await RunJobAsync(export);

        // Berlin is UTC+2 in July; a negative number is neutralised like any other cell; a field asked twice comes twice.
        Assert.Equal(
            "user_id,Birth Date,Nurtured,Group ID,Campaigns,Last Contacted,Created,First Name,First Name\r\n"
            + $"{id},1990-12-31,1,'-7,12,2012-07-02 00:30:05,2012-01-01 01:00:00,Typed,Typed\r\n"
            + $"{plain},,0,,0,,2012-01-01 01:00:00,Plain,Plain\r\n",
            (await v2.Get($"/api/v2/export/{export}/data")).Text);
    }

    [DbFact]
    public async Task Data_answers_4004_for_ftp_4005_before_done_and_410_once_expired()
    {
        var (_, v2) = await ArrangeAsync();
        var ftp = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest("ftp"))).AssertV2Ok().GetProperty("id").GetInt32();
        (await v2.Get($"/api/v2/export/{ftp}/data")).AssertV2Error(404, 4004, "The export is not a local export");

        var local = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Ok().GetProperty("id").GetInt32();
        (await v2.Get($"/api/v2/export/{local}/data")).AssertV2Error(404, 4005, "The export is not finished yet");

        await RunJobAsync(local);
        (await v2.Get($"/api/v2/export/{local}/data")).AssertOk();
        App.Clock.Advance(TimeSpan.FromDays(8));
        try
        {
            (await v2.Get($"/api/v2/export/{local}/data")).AssertV2Error(410, 4003, "The export file has expired");
        }
        finally
        {
            App.Clock.Advance(TimeSpan.FromDays(-8));
        }
    }

    [DbFact]
    public async Task A_worker_deletes_local_files_past_their_retention_even_if_nobody_asks_for_them()
    {
        var (_, v2) = await ArrangeAsync();
        var id = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Ok().GetProperty("id").GetInt32();
        var job = await RunJobAsync(id);
        var path = ExportWorker.LocalPath(App.Services.GetRequiredService<Velvet.Api.Storage.VelvetOptions>(), job);
        Assert.True(File.Exists(path));

        await Worker.RunOnceAsync(default);
        Assert.True(File.Exists(path));
        App.Clock.Advance(TimeSpan.FromDays(8));
        try
        {
            await Worker.RunOnceAsync(default);
            Assert.False(File.Exists(path));
        }
        finally
        {
            App.Clock.Advance(TimeSpan.FromDays(-8));
        }
    }

    [DbFact]
    public async Task After_the_job_is_done_the_same_settings_are_accepted_again()
    {
        var (_, v2) = await ArrangeAsync();
        var id = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Ok().GetProperty("id").GetInt32();
        await RunJobAsync(id);
        (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Ok();
    }

    [DbFact]
    public async Task Two_workers_racing_run_a_job_exactly_once()
    {
        var (_, v2) = await ArrangeAsync();
        await DrainAsync();
        var id = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Ok().GetProperty("id").GetInt32();
        var other = ActivatorUtilities.CreateInstance<ExportWorker>(App.Services);

        var results = await Task.WhenAll(Task.Run(() => Worker.RunOnceAsync(default)), Task.Run(() => other.RunOnceAsync(default)));

        Assert.Equal(1, results.Count(r => r));
        var job = await App.WithDbAsync((db, _) => db.ExportJobs.AsNoTracking().SingleAsync(j => j.Id == id));
        Assert.Equal(ExportStatus.Done, job.Status);
        Assert.Equal(1, job.Attempts);
    }

    [DbFact]
    public async Task A_job_whose_worker_died_is_resumed_once_its_lease_expires()
    {
        var (_, v2) = await ArrangeAsync();
        await DrainAsync();
        var id = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Ok().GetProperty("id").GetInt32();
        await SimulateCrashAsync(id, attempts: 1, leaseLeft: TimeSpan.FromMinutes(1));

        // Lease still running: the job is someone else's.
        Assert.False(await Worker.RunOnceAsync(default));
        (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest())).AssertV2Error(400, 4001, ExportsEndpoints.DuplicateMessage);

        await SimulateCrashAsync(id, attempts: 1, leaseLeft: TimeSpan.FromMinutes(-1));
        Assert.True(await Worker.RunOnceAsync(default));
        var job = await App.WithDbAsync((db, _) => db.ExportJobs.AsNoTracking().SingleAsync(j => j.Id == id));
        Assert.Equal(ExportStatus.Done, job.Status);
        Assert.Equal(2, job.Attempts);
    }

    [DbFact]
    public async Task A_job_that_keeps_killing_its_worker_is_marked_error_and_frees_its_settings()
    {
        var (_, v2) = await ArrangeAsync();
        await DrainAsync();
        var id = (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest("ftp"))).AssertV2Ok().GetProperty("id").GetInt32();
        await SimulateCrashAsync(id, attempts: 3, leaseLeft: TimeSpan.FromMinutes(-1));

        Assert.False(await Worker.RunOnceAsync(default));

        var job = await App.WithDbAsync((db, _) => db.ExportJobs.AsNoTracking().SingleAsync(j => j.Id == id));
        Assert.Equal(ExportStatus.Error, job.Status);
        Assert.Equal("The export was interrupted 3 times and was given up", job.Error);
        Assert.Null(job.FtpPasswordProtected);
        (await v2.Post("/api/v2/contact/getchanges", ExportsEndpointsTests.SeedRequest("ftp"))).AssertV2Ok();
        await DrainAsync();
    }

    [DbFact]
    public async Task A_refused_ftp_delivery_ends_in_error_with_a_reason_and_the_password_is_wiped()
    {
        var (_, v2) = await ArrangeAsync();
        var request = ExportsEndpointsTests.SeedRequest("ftp");
        // Nothing listens on port 1 of 127.0.0.1: connection refused is transient, so it is retried, then given up.
        request["ftp_settings"] = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = "1", ["username"] = "u", ["password"] = "s3cret-pw" };
        var id = (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Ok().GetProperty("id").GetInt32();

        var job = await RunJobAsync(id);

        Assert.Equal(ExportStatus.Error, job.Status);
        Assert.False(string.IsNullOrEmpty(job.Error));
        Assert.DoesNotContain("s3cret-pw", job.Error, StringComparison.Ordinal);
        Assert.Null(job.FtpPasswordProtected);
        Assert.Null(job.ActiveKey);
        var status = (await v2.Get($"/api/v2/export/{id}")).AssertV2Ok();
        Assert.Equal("error", status.GetProperty("status").GetString());
        Assert.DoesNotContain("s3cret-pw", status.GetRawText(), StringComparison.Ordinal);
    }

    private Task SimulateCrashAsync(int id, int attempts, TimeSpan leaseLeft) => App.WithDbAsync(async (db, _) =>
    {
        var job = await db.ExportJobs.SingleAsync(j => j.Id == id);
        job.Status = ExportStatus.InProgress;
        job.ClaimedBy = "dead-process";
        job.Attempts = attempts;
        job.LeaseUntil = App.Clock.GetUtcNow().UtcDateTime + leaseLeft;
        await db.SaveChangesAsync();
    });
}

public sealed class ExportWorkerTests_Sqlite(SqliteApp app) : ExportWorkerTests(app), IClassFixture<SqliteApp>;

public sealed class ExportWorkerTests_Postgres(PostgresApp app) : ExportWorkerTests(app), IClassFixture<PostgresApp>;
