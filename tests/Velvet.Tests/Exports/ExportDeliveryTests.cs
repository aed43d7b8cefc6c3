using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Contacts;
using Velvet.Api.Exports;
using Velvet.Tests.Exports.Delivery;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Exports;

// The seed's request example delivered to real vsftpd (FTP and explicit FTPS) and OpenSSH (SFTP), read back
// from the server's disk. SQLite only: the delivery path does not depend on the engine, the claim tests cover both.
[Collection(FileServersGroup.Name)]
public sealed class ExportDeliveryTests(FileServersFixture servers, SqliteApp app) : IntegrationTest(app), IClassFixture<SqliteApp>
{
    [FileServerTheory]
    [InlineData("ftp")]
    [InlineData("ftps")]
    [InlineData("sftp")]
    public async Task The_seed_example_is_uploaded_byte_for_byte_and_the_password_is_wiped(string kind)
    {
        var settings = servers.Required;
        var world = await TestWorld.CreateAsync(App);
        var v2 = new V2Client(Api, App, world.V2User, world.V2Secret);
        var contactId = await App.WithDbAsync(async (db, _) =>
        {
            var contact = new Contact { CompanyId = world.Company.Id, FirstName = "Zoë", LastName = "=Ærø", Email = "zoe@example.com" };
            contact.RefreshSearchKeys();
            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            db.ContactChanges.Add(new ContactChange
            {
                CompanyId = world.Company.Id, ContactId = contact.Id, Action = "create", Origin = "form", OriginId = 123,
                ChangedAt = new DateTime(2012, 3, 1, 12, 0, 0, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
            return contact.Id;
        });
        var folder = $"exports-{Guid.NewGuid():N}/path/of/a/folder";
        var request = ExportsEndpointsTests.SeedRequest(kind == "sftp" ? "sftp" : "ftp");
        var ftp = new Dictionary<string, object>
        {
            ["host"] = "127.0.0.1",
            ["port"] = (kind switch { "ftp" => settings.FtpPort, "ftps" => settings.FtpsPort, _ => settings.SftpPort }).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["username"] = settings.User,
            ["password"] = settings.Password,
            ["folder"] = folder,
        };
        if (kind == "ftps")
        {
            ftp["ssl"] = "1";
            ftp["accept_any_certificate"] = "1";
        }

        request["ftp_settings"] = ftp;
        var id = (await v2.Post("/api/v2/contact/getchanges", request)).AssertV2Ok().GetProperty("id").GetInt32();

        var worker = App.Services.GetRequiredService<ExportWorker>();
        for (var i = 0; i < 10 && await worker.RunOnceAsync(default); i++)
        {
        }

        var job = await App.WithDbAsync((db, _) => db.ExportJobs.AsNoTracking().SingleAsync(j => j.Id == id));
        Assert.True(job.Status == ExportStatus.Done, job.Error);
        Assert.Null(job.FtpPasswordProtected);
        var onDisk = await File.ReadAllBytesAsync(Path.Combine(settings.Root, folder, $"velvet_changes_{id}.csv"));
        Assert.Equal(Encoding.UTF8.GetBytes($"user_id;First Name;E-mail;Last Name\r\n{contactId};Zoë;zoe@example.com;'=Ærø\r\n"), onDisk);
        var status = (await v2.Get($"/api/v2/export/{id}")).AssertV2Ok();
        Assert.Equal("done", status.GetProperty("status").GetString());
        Assert.DoesNotContain(settings.Password, status.GetRawText(), StringComparison.Ordinal);
    }
}
