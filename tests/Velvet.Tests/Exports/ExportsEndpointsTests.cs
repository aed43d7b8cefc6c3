using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Auth;
using Velvet.Api.Contacts;
using Velvet.Api.Exports;
using Velvet.Api.Forms;
using Velvet.Api.Staff;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Exports;

public abstract class ExportsEndpointsTests(VelvetApp app) : IntegrationTest(app)
{
    private async Task<(TestWorld World, V2Client V2)> ArrangeAsync()
    {
        var world = await TestWorld.CreateAsync(App);
        return (world, new V2Client(Api, App, world.V2User, world.V2Secret));
    }

    /// <summary>Seed 004's request example, with local delivery unless told otherwise.</summary>
    internal static Dictionary<string, object> SeedRequest(string method = "local") => new()
    {
        ["distribution_method"] = method,
        ["origin"] = "form",
        ["origin_id"] = "123",
        ["time_range"] = new[] { "2012-02-09", "2012-04-02" },
        ["contact_fields"] = new[] { "1", "3", "2" },
        ["delimiter"] = ";",
        ["add_field_names_header"] = 1,
        ["language"] = "en",
        ["ftp_settings"] = new Dictionary<string, object>
        {
            ["host"] = "www.example.com",
            ["port"] = "1234",
            ["username"] = "user",
            ["password"] = "pass",
            ["folder"] = "path/of/a/folder",
        },
    };

    [DbFact]
    public async Task Fields_have_stable_ids_with_first_name_last_name_and_email_first()
    {
        var (_, v2) = await ArrangeAsync();
        var data = (await v2.Get("/api/v2/field")).AssertV2Ok();

        Assert.Equal(ContactFields.All.Count, data.GetArrayLength());
        Assert.Equal("""{"id":1,"name":"First Name","application_type":"shorttext"}""", data[0].GetRawText());
        Assert.Equal(2, data[1].GetProperty("id").GetInt32());
        Assert.Equal("E-mail", data[2].GetProperty("name").GetString());
    }

    [DbFact]
    public async Task Fields_translate_to_german_and_an_unknown_language_is_a_400()
    {
        var (_, v2) = await ArrangeAsync();
        var data = (await v2.Get("/api/v2/field/translate/de")).AssertV2Ok();
        Assert.Equal("Vorname", data[0].GetProperty("name").GetString());
        Assert.Equal("Nachname", data[1].GetProperty("name").GetString());

        (await v2.Get("/api/v2/field/translate/xx")).AssertV2Error(400, 10001, "Invalid value for language: xx");
    }

    [DbFact]
    public async Task Sources_are_the_three_apps_and_the_company_server_keys_only()
    {
        var (world, v2) = await ArrangeAsync();
        var other = await TestWorld.CreateAsync(App);
        var data = (await v2.Get("/api/v2/source")).AssertV2Ok();

        var ids = data.EnumerateArray().Select(s => s.GetProperty("id").GetInt32()).ToList();
        Assert.Equal([1, 2, 3, ContactOrigin.ServerKeyOriginOffset + world.ServerKey.Id], ids);
        Assert.Equal("Mobile app for iOS", data[0].GetProperty("name").GetString());
        Assert.Equal("At the rope app for iPad", data[2].GetProperty("name").GetString());
        Assert.DoesNotContain(ContactOrigin.ServerKeyOriginOffset + other.ServerKey.Id, ids);
    }

    [DbFact]
    public async Task Forms_are_the_company_active_sign_up_forms_in_id_order()
    {
        var (world, v2) = await ArrangeAsync();
        var other = await TestWorld.CreateAsync(App);
        var (website, _) = await AddFormAsync(world.Company.Id, "Website sign-up", null);
        var (retired, _) = await AddFormAsync(world.Company.Id, "Summer launch", "signup");
        var (door, _) = await AddFormAsync(world.Company.Id, "Door tablet", "checkin");
        await AddFormAsync(other.Company.Id, "Other company's form", null);
        await App.WithDbAsync(async (db, _) =>
        {
            (await db.SignupForms.SingleAsync(f => f.Id == retired.Id)).Active = false;
            await db.SaveChangesAsync();
        });

        var data = (await v2.Get("/api/v2/form")).AssertV2Ok();

        Assert.Equal(
            $$"""[{"id":{{website.Id}},"name":"Website sign-up","type":"signup"},{"id":{{door.Id}},"name":"Door tablet","type":"checkin"}]""",
            data.GetRawText());
    }

    [DbFact]
    public async Task A_company_without_forms_lists_none()
    {
        var (_, v2) = await ArrangeAsync();
        var other = await TestWorld.CreateAsync(App);
        await AddFormAsync(other.Company.Id, "Other company's form", null);

        Assert.Equal(0, (await v2.Get("/api/v2/form")).AssertV2Ok().GetArrayLength());
    }

    [DbFact]
    public async Task A_form_keeps_only_the_hash_of_its_token()
    {
        var (world, _) = await ArrangeAsync();
        var (form, token) = await AddFormAsync(world.Company.Id, "Website sign-up", null);

        var stored = await App.WithDbAsync((db, _) => db.SignupForms.AsNoTracking().SingleAsync(f => f.Id == form.Id));
        Assert.Equal(Secrets.Hash(token), stored.TokenHash);
        Assert.DoesNotContain(token, stored.TokenHash, StringComparison.Ordinal);
    }

    private Task<(SignupForm Form, string Token)> AddFormAsync(int companyId, string name, string? type) =>
        App.WithDbAsync((_, services) => services.GetRequiredService<Accounts>().AddSignupFormAsync(companyId, name, type, null, default));

    private const string PinnedKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    [DbFact]
    public async Task An_sftp_host_key_fingerprint_is_accepted_as_ssh_keygen_prints_it()
    {
        var (_, v2) = await ArrangeAsync();
        var request = SeedRequest("sftp");
        ((Dictionary<string, object>)request["ftp_settings"])["host_key"] = PinnedKey;

        (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Ok();
    }

    [DbFact]
    public async Task Every_row_of_the_seed_error_table_is_answered_verbatim()
    {
        var (world, v2) = await ArrangeAsync();
        var cases = new (Action<Dictionary<string, object>> Change, string Message)[]
        {
            (r => r.Remove("distribution_method"), "Missing parameter: distribution_method"),
            (r => r.Remove("time_range"), "Missing parameter: time_range"),
            (r => r.Remove("origin"), "Missing parameter: origin"),
            (r => r.Remove("origin_id"), "Missing parameter: origin_id"),
            (r => r.Remove("contact_fields"), "Missing parameter: contact_fields"),
            (r => r["time_range"] = "2012-02-09", "Invalid data format for time_range. Array expected"),
            (r => r["contact_fields"] = "1", "Invalid data format for contact_fields. Array expected"),
            (r => r["time_range"] = new[] { "2012-02-09" }, "Invalid data format for time_range. Array size must be 2"),
            (r => r["time_range"] = new[] { "2012-02-09", "2012-02-10", "2012-02-11" }, "Invalid data format for time_range. Array size must be 2"),
            (r => r["origin"] = "email", "Invalid origin: email"),
            (r => r["origin_id"] = "abc", "Invalid data format for origin_id. Integer expected"),
            (r => r["origin_id"] = new[] { "1", "x" }, "Invalid data format for origin_id. Integer expected"),
            (r => r["distribution_method"] = "mail", "Invalid distribution method: mail"),
            (r => r["delimiter"] = "ab", "Invalid value for delimiter: ab"),
            (r => r["add_field_names_header"] = 2, "Invalid value for add_field_names_header: 2"),
            (r => r["language"] = "fr", "Invalid value for language: fr"),
            (r => { r["distribution_method"] = "ftp"; r.Remove("ftp_settings"); }, "Missing parameter: ftp_settings"),
            (r => { r["distribution_method"] = "ftp"; ((Dictionary<string, object>)r["ftp_settings"])["port"] = "http"; }, "Invalid value for ftp_settings.port: http"),
            (r => { r["distribution_method"] = "sftp"; ((Dictionary<string, object>)r["ftp_settings"])["host"] = ""; }, "Invalid value for ftp_settings.host: "),
            (r => { r["distribution_method"] = "sftp"; ((Dictionary<string, object>)r["ftp_settings"])["host_key"] = "MD5:ab:cd"; }, "Invalid value for ftp_settings.host_key: MD5:ab:cd"),
            (r => { r["distribution_method"] = "sftp"; ((Dictionary<string, object>)r["ftp_settings"])["host_key"] = "SHA256:short"; }, "Invalid value for ftp_settings.host_key: SHA256:short"),
            (r => { r["distribution_method"] = "ftp"; ((Dictionary<string, object>)r["ftp_settings"])["host_key"] = PinnedKey; }, $"Invalid value for ftp_settings.host_key: {PinnedKey}"),
            (r => { r["distribution_method"] = "ftp"; ((Dictionary<string, object>)r["ftp_settings"])["folder"] = new string('d', 1001); }, "Invalid value for ftp_settings.folder: " + new string('d', 1001)),
            (r => r["contact_fields"] = new[] { "1", "999", "abc" }, "Invalid contact field id: 999, abc"),
            (r => r["contact_fields"] = Array.Empty<string>(), "Invalid number of fields"),
            (r => r["time_range"] = new[] { "2012-02-30", "2012-04-02" }, "Valid start_date and end_date is required"),
            (r => r["time_range"] = new[] { "2012-02-09", "April" }, "Valid start_date and end_date is required"),
            (r => r["time_range"] = new[] { "2012-04-02", "2012-02-09" }, "Invalid value for end_date: end_date is earlier than the start_date"),
        };

        foreach (var (change, message) in cases)
        {
            var request = SeedRequest();
            request["ftp_settings"] = new Dictionary<string, object>((Dictionary<string, object>)request["ftp_settings"]);
            change(request);
            (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Error(400, 10001, message);
        }

        Assert.Equal(0, await App.WithDbAsync((db, _) => db.ExportJobs.CountAsync(j => j.CompanyId == world.Company.Id)));
    }

    [DbFact]
    public async Task The_seed_example_stores_a_scheduled_job_and_answers_its_id_at_once()
    {
        var (world, v2) = await ArrangeAsync();
        var id = (await v2.Post("/api/v2/contact/getchanges", SeedRequest("ftp"))).AssertV2Ok().GetProperty("id").GetInt32();

        var job = await App.WithDbAsync((db, _) => db.ExportJobs.SingleAsync(j => j.Id == id));
        Assert.Equal(world.Company.Id, job.CompanyId);
        Assert.Equal("scheduled", job.Status);
        Assert.NotNull(job.FtpPasswordProtected);
        Assert.DoesNotContain("pass\"", job.Parameters, StringComparison.Ordinal);
        Assert.DoesNotContain("pass", job.FtpPasswordProtected, StringComparison.Ordinal);

        var data = (await v2.Get($"/api/v2/export/{id}")).AssertV2Ok();
        Assert.Equal(id, data.GetProperty("id").GetInt32());
        Assert.Equal("scheduled", data.GetProperty("status").GetString());
        Assert.Equal("ftp", data.GetProperty("type").GetString());
        Assert.Equal("www.example.com", data.GetProperty("ftp_host").GetString());
        Assert.Equal("path/of/a/folder", data.GetProperty("ftp_dir").GetString());
        Assert.Equal(0, data.GetProperty("row_count").GetInt32());
        Assert.Equal(0, data.GetProperty("progress").GetInt32());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("error").ValueKind);
        Assert.Equal(["id", "created", "status", "type", "file_name", "ftp_host", "ftp_dir", "row_count", "progress", "error"],
            data.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.DoesNotContain("pass", data.GetRawText().Replace("path/of", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [DbFact]
    public async Task The_same_settings_while_scheduled_answer_4001_and_other_settings_do_not()
    {
        var (_, v2) = await ArrangeAsync();
        (await v2.Post("/api/v2/contact/getchanges", SeedRequest())).AssertV2Ok();
        (await v2.Post("/api/v2/contact/getchanges", SeedRequest())).AssertV2Error(400, 4001, ExportsEndpoints.DuplicateMessage);

        var other = SeedRequest();
        other["language"] = "de";
        (await v2.Post("/api/v2/contact/getchanges", other)).AssertV2Ok();
    }

    [DbFact]
    public async Task The_same_export_sent_twice_at_once_is_stored_once()
    {
        var (_, v2) = await ArrangeAsync();
        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => v2.Post("/api/v2/contact/getchanges", SeedRequest())));

        Assert.Equal(1, replies.Count(r => r.Code == 200));
        Assert.All(replies.Where(r => r.Code != 200), r => r.AssertV2Error(400, 4001, ExportsEndpoints.DuplicateMessage));
    }

    [DbFact]
    public async Task An_unknown_or_other_company_export_id_is_invalid()
    {
        var (_, v2) = await ArrangeAsync();
        var other = await TestWorld.CreateAsync(App);
        var otherV2 = new V2Client(Api, App, other.V2User, other.V2Secret);
        var id = (await otherV2.Post("/api/v2/contact/getchanges", SeedRequest())).AssertV2Ok().GetProperty("id").GetInt32();

        (await v2.Get($"/api/v2/export/{id}")).AssertV2Error(400, 10001, "Invalid export ID");
        (await v2.Get($"/api/v2/export/{id}/data")).AssertV2Error(400, 10001, "Invalid export ID");
        (await v2.Get("/api/v2/export/999999999")).AssertV2Error(400, 10001, "Invalid export ID");
        (await v2.Get("/api/v2/export/abc")).AssertV2Error(400, 10001, "Invalid export ID");
    }
}

public sealed class ExportsEndpointsTests_Sqlite(SqliteApp app) : ExportsEndpointsTests(app), IClassFixture<SqliteApp>;

public sealed class ExportsEndpointsTests_Postgres(PostgresApp app) : ExportsEndpointsTests(app), IClassFixture<PostgresApp>;
