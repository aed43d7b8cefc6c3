using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Sync;

/// <summary>
/// What a captured contact update sends to PostgreSQL: the registration and the contact's read ride on the update's
/// own batch, and the COMMIT on the log's INSERT. Capture would log the same data by its fallbacks (a read and a
/// registration of their own after the save), so only the commands themselves show that the rides happen.
/// </summary>
public sealed class CaptureBatchTests_Postgres(PostgresApp app) : IClassFixture<PostgresApp>
{
    [DbFact]
    public async Task A_contact_update_reads_its_contact_on_its_own_batch_and_commits_with_its_log_row()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world);
        var api = new ApiClient(app.CreateClient());

        List<string> sent;
        using (var commands = new CommandsSent(new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!))
        {
            (await api.Put($"/api/v1/contacts/{contact.Id}.json", ("auth_token", world.AdminToken), ("contact[last_name]", "Batched"))).AssertOk();
            sent = commands.Texts;
        }

        // The registration and capture's read of the contact (its ids are parameters of capture's own names) are sent
        // once each, in the update's command; the log row and the COMMIT in one more.
        var registration = Assert.Single(sent, text => text.Contains("pg_advisory_xact_lock_shared", StringComparison.Ordinal));
        var read = Assert.Single(sent, text => text.Contains("velvet_contact0", StringComparison.Ordinal));
        Assert.Same(registration, read);
        Assert.Contains("UPDATE \"Contacts\"", read, StringComparison.Ordinal);
        var log = Assert.Single(sent, text => text.Contains("INSERT INTO \"ChangeLog\"", StringComparison.Ordinal));
        Assert.EndsWith("COMMIT", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// The text of every command Npgsql sends to one database while this lives, EF's and Velvet's own raw ones alike,
    /// from Npgsql's tracing (an activity per command, tagged with the database and the statement).
    /// </summary>
    private sealed class CommandsSent : IDisposable
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly ActivityListener _listener;

        public CommandsSent(string database)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    var tags = activity.Tags.ToDictionary(t => t.Key, t => t.Value);
                    if ((tags.GetValueOrDefault("db.namespace") ?? tags.GetValueOrDefault("db.name")) == database
                        && (tags.GetValueOrDefault("db.query.text") ?? tags.GetValueOrDefault("db.statement")) is { } text)
                    {
                        _texts.Enqueue(text);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<string> Texts => [.. _texts];

        public void Dispose() => _listener.Dispose();
    }
}
