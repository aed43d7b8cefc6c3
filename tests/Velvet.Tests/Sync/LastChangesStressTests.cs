using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Contacts;
using Velvet.Api.Notes;
using Velvet.Api.Reservations;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Sync;
using Velvet.Api.Tags;
using Velvet.Api.Tasks;
using Velvet.Api.Wire;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

/// <summary>
/// Concurrent writers (some holding their transaction open) while devices pull with the timestamps they are
/// handed: every mirror must end equal to what its user may see, record for record.
/// </summary>
public abstract class LastChangesStressTests(VelvetApp app) : IntegrationTest(app)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _trace = new();

    private const int WriterCount = 4;
    private static readonly TimeSpan WriteDuration = TimeSpan.FromSeconds(8);
    private const double HeldTransactionShare = 0.3;
    private const int MaxHoldMilliseconds = 150;

    [DbFact]
    public async Task Mirrors_of_concurrently_pulling_devices_equal_the_server_state()
    {
        var world = await TestWorld.CreateAsync(App);
        var secondAdminToken = await App.WithDbAsync((db, _) => TestWorld.SignInDeviceAsync(db, world.Admin, "admin-tablet-" + Guid.NewGuid().ToString("N")[..6], 3));
        var devices = new[] { (world.AdminToken, world.Admin.Id), (secondAdminToken, world.Admin.Id), (world.HostToken, world.Host.Id) };
        foreach (var (token, _) in devices)
        {
            await AcknowledgeAsync(Api, token);
        }

        var contactIds = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            contactIds.Add((await AddContactAsync(App, world, "Guest" + i)).Id);
        }

        var category = new TagCategory { CompanyId = world.Company.Id, Name = "Stress" };
        await Change(App, db => { db.TagCategories.Add(category); return Task.CompletedTask; });

        using var stop = new CancellationTokenSource(WriteDuration);
        var writers = Enumerable.Range(0, WriterCount).Select(i => Task.Run(() => WriteAsync(world, category.Id, contactIds, new Random(i * 7919), stop.Token))).ToList();
        var mirrors = devices.Select(_ => new LastChangesMirror()).ToArray();
        foreach (var mirror in mirrors)
        {
            mirror.Start(Epoch);
        }

        var pullers = devices.Select((d, i) => Task.Run(async () =>
        {
            var pulls = 0;
            while (!writers.All(w => w.IsCompleted))
            {
                // The last device pages its deltas (limit/cursor) to exercise paging under concurrency.
                await PullIntoAsync(mirrors[i], d.Item1, paged: i == devices.Length - 1);
                pulls++;
                await Task.Delay(Random.Shared.Next(10, 60));
            }

            return pulls;
        })).ToList();
        var written = (await Task.WhenAll(writers)).Sum();
        var pullCounts = await Task.WhenAll(pullers);

        // Writers are done: one more pull each brings every mirror to the final state, once the watermark has passed
        // the last commit (on PostgreSQL it trails the clock by the skew allowance between nodes).
        await Task.Delay(TimeSpan.FromMilliseconds(new SyncOptions().ClockSkewAllowanceMilliseconds + 200));
        for (var i = 0; i < devices.Length; i++)
        {
            // A paged delta begun while writers ran covers only up to its own watermark: finish it, then one full delta more.
            while (mirrors[i].Cursor is not null)
            {
                await PullIntoAsync(mirrors[i], devices[i].Item1, paged: true);
            }

            do
            {
                await PullIntoAsync(mirrors[i], devices[i].Item1, paged: i == devices.Length - 1);
            }
            while (mirrors[i].Cursor is not null);
        }

        Assert.True(written > 50, $"only {written} writes");
        Assert.All(pullCounts, c => Assert.True(c > 3, $"only {c} pulls"));
        for (var i = 0; i < devices.Length; i++)
        {
            var expected = await ExpectedAsync(world, devices[i].Item2);
            var actual = mirrors[i].Records;
            var missing = expected.Keys.Except(actual.Keys).ToList();
            var extra = actual.Keys.Except(expected.Keys).ToList();
            var history = await App.WithDbAsync(async (db, _) => string.Join(" | ", (await db.ChangeLog.Where(e => e.CompanyId == world.Company.Id).OrderBy(e => e.Id).ToListAsync())
                .Where(e => extra.Take(1).Contains((e.ClassName, e.RecordId)))
                .Select(e => $"{e.Id} {e.ClassName} {e.RecordId} {e.Action} v{e.VenueId} u{e.UserId} @{e.Stamp} {e.Data}")));
            Assert.True(missing.Count == 0 && extra.Count == 0, $"device {i}: missing {string.Join(",", missing)}; extra {string.Join(",", extra)}; log {history}; last {mirrors[i].Timestamp}; trace {string.Join(" ", _trace.Where(t => extra.Any(x => t.Contains(x.ClassName[..3] + x.Id, StringComparison.Ordinal))))}");
            foreach (var (key, json) in expected)
            {
                var want = JsonNode.Parse(json)!.AsObject();
                var got = JsonNode.Parse(actual[key])!.AsObject();
                var differing = want.Where(p => !JsonNode.DeepEquals(p.Value, got[p.Key])).Select(p => $"{p.Key}: {p.Value?.ToJsonString()} vs {got[p.Key]?.ToJsonString()}");
                Assert.True(JsonNode.DeepEquals(want, got), $"device {i} {key}: " + string.Join("; ", differing));
            }
        }
    }

    private async Task PullIntoAsync(LastChangesMirror mirror, string token, bool paged = false)
    {
        List<(string, string)> form = [("auth_token", token), ("start_date", mirror.Timestamp!)];
        if (paged)
        {
            form.Add(("limit", "7"));
            if (mirror.Cursor is { } cursor)
            {
                form.Add(("cursor", cursor));
            }
        }

        var reply = (await Api.Get("/api/v1/last_changes.json", [.. form])).AssertOk().Json;
        if (paged)
        {
            _trace.Enqueue($"[{mirror.Timestamp} {mirror.Cursor} -> {reply.GetProperty("timestamp")} next={(reply.TryGetProperty("next_cursor", out var nc) ? nc.ToString() : "-")} {string.Join(",", Entries(reply).Select(e => e.ClassName[..3] + e.Id + e.Action[..1]))}]");
        }

        Assert.True(mirror.Apply(reply, out var message), message);
    }

    private async Task<int> WriteAsync(TestWorld world, int categoryId, List<int> contactIds, Random random, CancellationToken stop)
    {
        var done = 0;
        var company = world.Company.Id;
        int[] venues = [world.VenueA.Id, world.VenueB.Id];
        int[] users = [world.Admin.Id, world.Host.Id];
        while (!stop.IsCancellationRequested)
        {
            await using var scope = App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
            db.Tenant.UseSystem();
            var hold = random.NextDouble() < HeldTransactionShare;
            Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction = null;
            try
            {
                if (hold)
                {
                    transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
                }

                await OneChangeAsync(db, random, company, categoryId, contactIds, venues, users);
                await db.SaveChangesAsync(CancellationToken.None);
                if (transaction is not null)
                {
                    await Task.Delay(random.Next(MaxHoldMilliseconds), CancellationToken.None);
                    await transaction.CommitAsync(CancellationToken.None);
                }

                done++;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or Npgsql.PostgresException)
            {
                // Concurrent writers collide (a row deleted meanwhile, a unique pair, a deadlock): the change is rolled back.
                if (transaction is not null)
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                }
            }
            finally
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }
            }
        }

        return done;
    }

    private static async Task OneChangeAsync(VelvetDb db, Random random, int company, int categoryId, List<int> contactIds, int[] venues, int[] users)
    {
        var contactId = contactIds[random.Next(contactIds.Count)];
        switch (random.Next(12))
        {
            case 0:
                db.Tags.Add(new Tag { CompanyId = company, TagCategoryId = categoryId, Name = "tag" + random.Next(1000) });
                break;
            case 1:
                if (await db.Tags.Where(t => t.CompanyId == company).OrderBy(t => t.Id).Skip(random.Next(5)).FirstOrDefaultAsync() is { } renamed)
                {
                    renamed.Name = "renamed" + random.Next(1000);
                }

                break;
            case 2:
                if (await db.Tags.Where(t => t.CompanyId == company).OrderBy(t => t.Id).Skip(random.Next(5)).FirstOrDefaultAsync() is { } removed)
                {
                    db.Tags.Remove(removed);
                }

                break;
            case 3:
                db.Reservations.Add(new Reservation { CompanyId = company, VenueId = venues[random.Next(2)], ContactId = contactId, CountMales = random.Next(5) });
                break;
            case 4:
                if (await db.Reservations.Where(r => r.CompanyId == company).OrderBy(r => r.Id).Skip(random.Next(5)).FirstOrDefaultAsync() is { } moved)
                {
                    moved.VenueId = venues[random.Next(2)];
                    moved.CountFemales = random.Next(9);
                }

                break;
            case 5:
                if (await db.Reservations.Where(r => r.CompanyId == company).OrderBy(r => r.Id).Skip(random.Next(5)).FirstOrDefaultAsync() is { } cancelled)
                {
                    db.Reservations.Remove(cancelled);
                }

                break;
            case 6:
                db.Tasks.Add(new CrmTask { CompanyId = company, UserId = users[random.Next(2)], ContactId = contactId, Kind = "call", CreatedAt = DateTime.UtcNow });
                break;
            case 7:
                if (await db.Tasks.Where(t => t.CompanyId == company).OrderBy(t => t.Id).Skip(random.Next(5)).FirstOrDefaultAsync() is { } task)
                {
                    if (random.Next(3) == 0)
                    {
                        db.Tasks.Remove(task);
                    }
                    else
                    {
                        task.UserId = users[random.Next(2)];
                        task.State = random.Next(2) == 0 ? "complete" : "incomplete";
                    }
                }

                break;
            case 8:
                var venue = venues[random.Next(2)];
                if (await db.ContactQualifications.FirstOrDefaultAsync(q => q.ContactId == contactId && q.VenueId == venue) is { } qualification)
                {
                    if (random.Next(3) == 0)
                    {
                        db.ContactQualifications.Remove(qualification);
                    }
                    else
                    {
                        qualification.Status = ContactQualification.Statuses[random.Next(3)];
                    }
                }
                else
                {
                    db.ContactQualifications.Add(new ContactQualification { CompanyId = company, ContactId = contactId, VenueId = venue, Status = "qualified" });
                }

                break;
            case 9:
                var tagId = await db.Tags.Where(t => t.CompanyId == company).OrderBy(t => t.Id).Select(t => (int?)t.Id).FirstOrDefaultAsync();
                if (tagId is { } id)
                {
                    if (await db.ContactTags.FirstOrDefaultAsync(t => t.ContactId == contactId && t.TagId == id) is { } link)
                    {
                        db.ContactTags.Remove(link);
                    }
                    else
                    {
                        db.ContactTags.Add(new ContactTag { CompanyId = company, ContactId = contactId, TagId = id });
                    }
                }

                break;
            case 10:
                db.Notes.Add(new Note { CompanyId = company, ContactId = contactId, Text = "note " + random.Next(1000), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
                break;
            default:
                (await db.Contacts.SingleAsync(c => c.Id == contactId)).LastName = "L" + random.Next(1000);
                break;
        }
    }

    /// <summary>What the user may see now, built with the same mappings capture uses.</summary>
    private async Task<Dictionary<(string ClassName, int Id), string>> ExpectedAsync(TestWorld world, int userId) =>
        await App.WithDbAsync(async (db, _) =>
        {
            var user = await db.Users.Include(u => u.Venues).SingleAsync(u => u.Id == userId);
            int[] venueIds = [.. user.Venues.Select(v => v.VenueId)];
            var zone = WireTime.Zone(world.Company.TimeZoneId);
            var company = world.Company.Id;
            var result = new Dictionary<(string, int), string>();
            void AddSimple(string className, IEnumerable<object> entities)
            {
                foreach (var entity in entities)
                {
                    result[(className, ((dynamic)entity).Id)] = ChangeData.Simple(entity, zone)!;
                }
            }

            async Task AddComposite(string className, List<int> ids)
            {
                foreach (var (id, json) in await ChangeData.CompositeAsync(db, className, ids, zone, default))
                {
                    result[(className, id)] = ChangeData.ForViewer(className, json, venueIds);
                }
            }

            var may = (string className) => SyncClasses.ReadPermission(className) is not { } p || user.Permissions.Can(p, Permissions.Read);
            if (may(SyncClasses.Tag))
            {
                AddSimple(SyncClasses.Tag, await db.Tags.Where(t => t.CompanyId == company).ToListAsync());
                await AddComposite(SyncClasses.TagCategory, await db.TagCategories.Where(c => c.CompanyId == company).Select(c => c.Id).ToListAsync());
            }

            if (may(SyncClasses.Reservation))
            {
                AddSimple(SyncClasses.Reservation, await db.Reservations.Where(r => r.CompanyId == company && venueIds.Contains(r.VenueId)).ToListAsync());
            }

            if (may(SyncClasses.Contact))
            {
                AddSimple(SyncClasses.ContactQualification, await db.ContactQualifications.Where(q => q.CompanyId == company && venueIds.Contains(q.VenueId)).ToListAsync());
                await AddComposite(SyncClasses.Contact, await db.Contacts.Where(c => c.CompanyId == company).Select(c => c.Id).ToListAsync());
            }

            if (may(SyncClasses.Note))
            {
                AddSimple(SyncClasses.Note, await db.Notes.Where(n => n.CompanyId == company).ToListAsync());
            }

            if (may(SyncClasses.Task))
            {
                await AddComposite(SyncClasses.Task, await db.Tasks.Where(t => t.CompanyId == company && t.UserId == userId).Select(t => t.Id).ToListAsync());
            }

            await AddComposite(SyncClasses.UserVenue, [.. user.Venues.Select(v => v.Id)]);
            return result;
        });
}

public sealed class LastChangesStressTests_Sqlite(SqliteApp app) : LastChangesStressTests(app), IClassFixture<SqliteApp>;

public sealed class LastChangesStressTests_Postgres(PostgresApp app) : LastChangesStressTests(app), IClassFixture<PostgresApp>;
