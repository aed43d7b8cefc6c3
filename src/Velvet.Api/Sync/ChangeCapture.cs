using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Velvet.Api.Contacts;
using Velvet.Api.LogMethods;
using Velvet.Api.Notes;
using Velvet.Api.Notifications;
using Velvet.Api.Reservations;
using Velvet.Api.Staff;
using Velvet.Api.StaticTexts;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Api.Tasks;
using Velvet.Api.Venues;
using Velvet.Api.Wire;

namespace Velvet.Api.Sync;

/// <summary>
/// Last Changes capture: every SaveChanges touching a synced class writes its log rows in the same
/// transaction (opened here when the caller has none), so no write path can forget it. Rows are inserted
/// after the entities (ids of added rows are known only then), stamped after the writer registered with
/// <see cref="SyncWatermark"/>; the registration ends when the transaction commits or rolls back.
/// </summary>
internal sealed class ChangeCapture : DbTransactionInterceptor, ISaveChangesInterceptor
{
    private readonly SyncWatermark _watermark;
    private readonly SyncSignal _signal;
    private readonly IInterceptor[] _sqlite;

    public ChangeCapture(SyncWatermark watermark, SyncSignal signal)
    {
        _watermark = watermark;
        _signal = signal;
        _sqlite = [this, new ConnectionSafetyNet(this)];
    }

    /// <summary>
    /// What capture adds to a context of the engine. PostgreSQL: the save's batches carry the writer's registration and
    /// the contacts' read (<see cref="CaptureBatch"/>). SQLite: a connection interceptor ends in-process registrations;
    /// EF raises its events for every connection of a context that has one.
    /// </summary>
    public DbContextOptionsBuilder AddTo(DbContextOptionsBuilder options, bool postgres) => postgres
        ? options.AddInterceptors(this).ReplaceService<Microsoft.EntityFrameworkCore.Update.IModificationCommandBatchFactory, CaptureBatchFactory>()
        : options.AddInterceptors(_sqlite);

    private const string Create = "create";
    private const string Update = "update";
    private const string Destroy = "destroy";

    private sealed record Captured(object Entity, string ClassName, EntityState State, int? OldVenueId, int? OldUserId);

    private sealed class Pending
    {
        public List<Captured> Entries { get; } = [];

        public HashSet<int> Contacts { get; } = [];

        public HashSet<int> Tasks { get; } = [];

        public HashSet<int> Categories { get; } = [];

        public HashSet<int> ExpiredUsers { get; } = [];

        /// <summary>Records this save deletes, by class and id: they get a destroy and nothing more, and are not read.</summary>
        public HashSet<(string ClassName, int Id)> Destroyed { get; } = [];

        public bool OwnsTransaction { get; set; }

        /// <summary>PostgreSQL: the writer's registration has yet to ride on the save's last batch.</summary>
        public bool AwaitingRegistration { get; set; }

        /// <summary>The contacts read on the save's last batch, by id: read after every statement of the save.</summary>
        public Dictionary<int, ContactWithNotes>? Ridden { get; set; }

        /// <summary>The parents of a class that this save does not delete: a deleted one gets a destroy and is never read.</summary>
        public List<int> Surviving(string className, HashSet<int> ids) => [.. ids.Where(id => !Destroyed.Contains((className, id)))];
    }

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];
    private readonly ConditionalWeakTable<DbTransaction, SyncWatermark.Registration> _registrations = [];

    // Transactions that wrote log rows: only their commits wake long polls (other commits would make every waiter re-read for nothing).
    // Npgsql reuses a connection's transaction object: a new transaction starts unmarked (TransactionStarted).
    private readonly ConditionalWeakTable<DbTransaction, object> _logged = [];
    private static readonly object Logged = new();

    // Safety net: a transaction disposed without commit or rollback raises no transaction event, but its
    // connection closes with the context; whatever is still registered on it has ended by then.
    private readonly ConditionalWeakTable<DbConnection, List<SyncWatermark.Registration>> _byConnection = [];

    private void EndRegistrationsOn(DbConnection connection)
    {
        if (_byConnection.TryGetValue(connection, out var registrations))
        {
            _byConnection.Remove(connection);
            foreach (var registration in registrations)
            {
                _watermark.Deregister(registration);
            }
        }
    }

    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not VelvetDb db)
        {
            return result;
        }

        // Changes are detected once here; every look at the tracker below would detect them again (EF does before saving).
        db.ChangeTracker.DetectChanges();
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            await CollectAsync(db, cancellationToken);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        return result;
    }

    private async Task CollectAsync(VelvetDb db, CancellationToken cancellationToken)
    {
        if (!db.ChangeTracker.Entries().Any(Concerns))
        {
            return;
        }

        // The transaction comes first: cascades below are read under its locks.
        var ownsTransaction = false;
        if (db.Database.CurrentTransaction is null)
        {
            await SaveTransaction.BeginAsync(db, cancellationToken);
            ownsTransaction = true;
        }

        // The writer registers before its stamps are read (WriteLogAsync). PostgreSQL: at the end of the save's last
        // batch (RideOnLastBatch), which saves the registration a round trip of its own.
        var postgres = db.Database.IsNpgsql();
        if (!postgres)
        {
            var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            if (!_registrations.TryGetValue(transaction, out _))
            {
                var registration = _watermark.RegisterInProcess();
                _registrations.Add(transaction, registration);
                _byConnection.GetOrCreateValue(db.Database.GetDbConnection()).Add(registration);
            }
        }

        Pending pending;
        try
        {
            await IncludeCascadesAsync(db, cancellationToken);
            pending = Collect(db);
            pending.OwnsTransaction = ownsTransaction;
            pending.AwaitingRegistration = postgres;
            await LockParentsAsync(db, pending, cancellationToken);
            await ReadOldScopesAsync(db, pending, cancellationToken);
        }
        catch when (ownsTransaction)
        {
            // SaveChangesFailed is not raised for a failure before saving: end what this interceptor began.
            await db.Database.RollbackTransactionAsync(CancellationToken.None);
            throw;
        }
        _pending.AddOrUpdate(db, pending);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        SavingChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Contacts whose log data the save needs, when all are known before it runs: those it updates and those whose
    /// children it changes. Their read can then ride on the save's batch instead of taking a round trip after it. A
    /// contact the save creates has no id yet, so such a save reads after it as before.
    /// </summary>
    private static int[]? ContactsToRide(Pending pending)
    {
        if (pending.Entries.Any(c => c is { Entity: Contact, State: EntityState.Added }))
        {
            return null;
        }

        var ids = pending.Entries.Where(c => c is { Entity: Contact, State: EntityState.Modified }).Select(c => IdOf(c.Entity))
            .Concat(pending.Surviving(SyncClasses.Contact, pending.Contacts))
            .Distinct().ToArray();
        return ids.Length is > 0 and <= ChangeData.ContactsPerCommand ? ids : null;
    }

    /// <summary>
    /// Appends what the save's last batch carries after its own statements (<see cref="CaptureBatch"/>): the writer's
    /// registration, and the read of the contacts whose data the log needs (<see cref="ContactsToRide"/>), which
    /// <see cref="ReadRiddenContactsAsync"/> reads once EF has read its own results. False, and nothing appended,
    /// when the save has nothing to ride (not capturing, or registered already). The statements' texts never change for the same number of contacts
    /// (keys and ids are parameters), so PostgreSQL keeps them prepared. They run after every row change of the save,
    /// under its row locks and those taken before it (LockParentsAsync), and before any stamp is read.
    /// </summary>
    public bool RideOnLastBatch(DbContext context, System.Text.StringBuilder sql, Func<string, object, string> addParameter)
    {
        if (context is not VelvetDb db || !_pending.TryGetValue(db, out var pending) || !pending.AwaitingRegistration)
        {
            return false;
        }

        pending.AwaitingRegistration = false;
        addParameter(WriterParameter, _watermark.WriterKey());
        sql.Append(Registration);
        if (ContactsToRide(pending) is { } ids)
        {
            sql.Append(";\n").Append(ChangeData.ContactsSql(db, addParameter, ids));
        }

        return true;
    }

    private const string WriterParameter = "velvet_writer";

    private static readonly string Registration = SyncWatermark.RegistrationSql(RawSql.Placeholder(WriterParameter));

    /// <summary>
    /// Reads the contacts that rode on the save's last batch (<see cref="RideOnLastBatch"/>): the result sets after the
    /// registration's, which EF left unread; none when only the registration rode.
    /// </summary>
    public async Task ReadRiddenContactsAsync(DbContext context, DbDataReader reader)
    {
        if (context is not VelvetDb db || !_pending.TryGetValue(db, out var pending))
        {
            return;
        }

        try
        {
            while (!(reader.FieldCount == 1 && reader.GetName(0) == SyncWatermark.RegisteredColumn))
            {
                if (!await reader.NextResultAsync())
                {
                    return;
                }
            }

            if (await reader.NextResultAsync())
            {
                pending.Ridden = await ChangeData.ReadContactsAsync(db, reader, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException)
        {
            // The results are not where or what they were put as: the save reads its contacts after it instead. A
            // database error or a cancellation goes on to fail the save (PostgreSQL has aborted the transaction anyway),
            // where the caller sees what it was: a lost race answers 503.
            pending.Ridden = null;
        }
    }

    /// <summary>SQLite: in-process registrations end at the latest when their connection closes (<see cref="EndRegistrationsOn"/>).</summary>
    private sealed class ConnectionSafetyNet(ChangeCapture capture) : DbConnectionInterceptor
    {
        public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
        {
            capture.EndRegistrationsOn(connection);
            return Task.CompletedTask;
        }

        public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => capture.EndRegistrationsOn(connection);
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not VelvetDb db || !_pending.TryGetValue(db, out var pending))
        {
            return result;
        }

        _pending.Remove(db);
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        LogWritten written;
        try
        {
            written = await WriteLogAsync(db, pending, cancellationToken);
        }
        catch when (pending.OwnsTransaction && db.Database.CurrentTransaction is not null)
        {
            // EF raises no SaveChangesFailed for a failure here: end what this interceptor began, which also ends the
            // writer's registration (a leaked one would hold every watermark back until its lease ends). Disposing rolls
            // the transaction back, or does nothing when the COMMIT sent with the log's INSERT ended it already.
            await ReleaseOwnedAsync(db, transaction, committed: false);
            throw;
        }

        if (written == LogWritten.AndCommitted)
        {
            await ReleaseOwnedAsync(db, transaction, committed: true);
            return result;
        }

        if (written == LogWritten.Logged)
        {
            _logged.AddOrUpdate(transaction, Logged);
        }

        if (pending.OwnsTransaction)
        {
            await db.Database.CommitTransactionAsync(cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Lets go of capture's own transaction without EF's commit or rollback: committed by the log's last command, or
    /// abandoned after a failure (disposing rolls back what is still open). The bookkeeping their events would trigger
    /// comes first: disposing hands the connection back to the pool, and with it Npgsql's transaction object, which
    /// the next transaction on that connection reuses. EF's own commit log line and diagnostic events are not raised
    /// for such a commit.
    /// </summary>
    private async Task ReleaseOwnedAsync(VelvetDb db, DbTransaction transaction, bool committed)
    {
        if (committed)
        {
            Committed(transaction, db, logged: true);
        }
        else
        {
            End(transaction, db);
        }

        await db.Database.CurrentTransaction!.DisposeAsync();
    }

    private enum LogWritten
    {
        /// <summary>The save changed nothing a device would read.</summary>
        Nothing,
        Logged,
        /// <summary>Logged, and capture's own transaction committed by the same command (PostgreSQL).</summary>
        AndCommitted,
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result) =>
        SavedChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is VelvetDb db && _pending.TryGetValue(db, out var pending))
        {
            _pending.Remove(db);
            if (pending.OwnsTransaction && db.Database.CurrentTransaction is not null)
            {
                await db.Database.RollbackTransactionAsync(cancellationToken);
            }
        }
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => SaveChangesFailedAsync(eventData).GetAwaiter().GetResult();

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        _logged.Remove(result);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        _logged.Remove(result);
        return ValueTask.FromResult(result);
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(transaction, eventData.Context, _logged.TryGetValue(transaction, out _));

    private void Committed(DbTransaction transaction, DbContext? context, bool logged)
    {
        End(transaction, context);
        if (logged)
        {
            _signal.Committed();
        }
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        End(transaction, eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => End(transaction, eventData.Context);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        End(transaction, eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => End(transaction, eventData.Context);

    /// <summary>
    /// Any transaction of a context ended: its savepoints are back on (<see cref="SaveTransaction"/>), and an in-process
    /// registration ends (PostgreSQL's advisory lock ends with the transaction by itself).
    /// </summary>
    private void End(DbTransaction transaction, DbContext? context)
    {
        if (context is not null)
        {
            SaveTransaction.Ended(context);
        }

        _logged.Remove(transaction);
        if (_registrations.TryGetValue(transaction, out var registration))
        {
            _registrations.Remove(transaction);
            _watermark.Deregister(registration);
        }
    }

    /// <summary>
    /// Database cascades would delete synced children behind the change tracker's back; loading and removing
    /// them here makes them captured like any other destroy. Changes were detected by the caller just before.
    /// </summary>
    private static async Task IncludeCascadesAsync(VelvetDb db, CancellationToken ct)
    {
        var deleted = db.ChangeTracker.Entries().Where(e => e.State == EntityState.Deleted).Select(e => e.Entity).ToList();
        if (!deleted.Any(e => e is Contact or TagCategory or Tag or User or Venue))
        {
            return;
        }

        var contactIds = deleted.OfType<Contact>().Select(c => c.Id).ToList();
        var categoryIds = deleted.OfType<TagCategory>().Select(c => c.Id).ToList();
        var userIds = deleted.OfType<User>().Select(u => u.Id).ToList();
        var venueIds = deleted.OfType<Venue>().Select(v => v.Id).ToList();
        // PostgreSQL: a concurrent insert of a child (its foreign-key check) waits for these locks, so no child can
        // appear after the load below and be removed by the database's cascade unseen. SQLite's write lock does the same.
        // A deleted tag's category is locked before the tag: parents before children, the order every writer of a tag
        // takes them in (LockParentsAsync), else a tag deleted while another writer renames one deadlocks.
        await LockRowsAsync(db, "Contacts", contactIds, ct);
        await LockRowsAsync(db, "TagCategories", [.. categoryIds.Concat(deleted.OfType<Tag>().Select(t => t.TagCategoryId)).Distinct()], ct);
        await LockRowsAsync(db, "Tags", [.. deleted.OfType<Tag>().Select(t => t.Id)], ct);
        await LockRowsAsync(db, "Users", userIds, ct);
        await LockRowsAsync(db, "Venues", venueIds, ct);
        if (categoryIds.Count > 0)
        {
            db.RemoveRange(await db.Tags.IgnoreQueryFilters().Where(t => categoryIds.Contains(t.TagCategoryId)).ToListAsync(ct));
        }

        var tagIds = db.ChangeTracker.Entries<Tag>().Where(e => e.State == EntityState.Deleted).Select(e => e.Entity.Id).ToList();
        if (tagIds.Count > 0)
        {
            db.RemoveRange(await db.ContactTags.IgnoreQueryFilters().Where(t => tagIds.Contains(t.TagId)).ToListAsync(ct));
        }

        if (contactIds.Count > 0)
        {
            db.RemoveRange(await db.ContactQualifications.IgnoreQueryFilters().Where(q => contactIds.Contains(q.ContactId)).ToListAsync(ct));
            db.RemoveRange(await db.ContactTags.IgnoreQueryFilters().Where(t => contactIds.Contains(t.ContactId)).ToListAsync(ct));
            db.RemoveRange(await db.Notes.IgnoreQueryFilters().Where(n => n.ContactId != null && contactIds.Contains(n.ContactId.Value)).ToListAsync(ct));
        }

        if (userIds.Count > 0)
        {
            db.RemoveRange(await db.UserVenues.IgnoreQueryFilters().Where(v => userIds.Contains(v.UserId)).ToListAsync(ct));
        }

        if (venueIds.Count > 0)
        {
            db.RemoveRange(await db.UserVenues.IgnoreQueryFilters().Where(v => venueIds.Contains(v.VenueId)).ToListAsync(ct));
            db.RemoveRange(await db.ContactQualifications.IgnoreQueryFilters().Where(q => venueIds.Contains(q.VenueId)).ToListAsync(ct));
            db.RemoveRange(await db.Set<Reservation>().IgnoreQueryFilters().Where(r => venueIds.Contains(r.VenueId)).ToListAsync(ct));
        }
    }

    /// <summary>
    /// A change capture has something to do for: a synced record, a contact's tag, or what cascades to synced rows or
    /// expires acknowledgments. An avatar, a sign-up flag or a venue filter saved on a user opens no capture at all.
    /// </summary>
    private static bool Concerns(EntityEntry entry) => entry.State switch
    {
        EntityState.Added or EntityState.Modified or EntityState.Deleted when ClassOf(entry.Entity) is not null || entry.Entity is ContactTag => true,
        EntityState.Deleted => entry.Entity is User or Venue,
        EntityState.Modified => entry.Entity is User && entry.Property(nameof(User.Permissions)).IsModified,
        _ => false,
    };

    private static Pending Collect(VelvetDb db)
    {
        var pending = new Pending();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var className = ClassOf(entry.Entity);
            if (className is not null)
            {
                var (venue, user) = entry.State == EntityState.Added ? (null, null) : ScopeOf(entry.Entity, () => entry.OriginalValues);
                pending.Entries.Add(new Captured(entry.Entity, className, entry.State, venue, user));
                if (entry.State == EntityState.Deleted)
                {
                    pending.Destroyed.Add((className, IdOf(entry.Entity)));
                }
            }

            // Children whose change alters the parent's JSON: the parent gets an "update" too.
            switch (entry.Entity)
            {
                case ContactTag or ContactQualification:
                    Both(entry, "ContactId", pending.Contacts);
                    break;
                case Note:
                    Both(entry, "ContactId", pending.Contacts);
                    Both(entry, "TaskId", pending.Tasks);
                    break;
                case LogMethod:
                    Both(entry, "TaskId", pending.Tasks);
                    break;
                case Tag:
                    Both(entry, "TagCategoryId", pending.Categories);
                    break;
                case UserVenue uv:
                    pending.ExpiredUsers.Add(uv.UserId);
                    if (entry.State == EntityState.Modified)
                    {
                        pending.ExpiredUsers.Add((int)entry.OriginalValues["UserId"]!);
                    }

                    break;
                case User u when entry.State == EntityState.Modified && entry.Property(nameof(User.Permissions)).IsModified:
                    pending.ExpiredUsers.Add(u.Id);
                    break;
            }
        }

        return pending;
    }

    /// <summary>
    /// The scope a record leaves is the one stored now, not the tracker's original values: another writer may have
    /// moved the record since this context loaded it. Read under a row lock (PostgreSQL) or the write lock (SQLite)
    /// so it cannot change again before this transaction's update.
    /// </summary>
    private static async Task ReadOldScopesAsync(VelvetDb db, Pending pending, CancellationToken ct)
    {
        for (var i = 0; i < pending.Entries.Count; i++)
        {
            var captured = pending.Entries[i];
            if (captured.State == EntityState.Added)
            {
                continue;
            }

            if (Scopes.TryGetValue(captured.Entity.GetType(), out var scope)
                && await LockedAsync(db, scope.Table, scope.Column, IdOf(captured.Entity), ct) is { } stored)
            {
                var (venue, user) = scope.Of(stored);
                pending.Entries[i] = captured with { OldVenueId = venue, OldUserId = user };
            }
        }
    }

    /// <summary>A record's stored scope column, read under its row lock on PostgreSQL in the same statement.</summary>
    private static async Task<int?> LockedAsync(VelvetDb db, string table, string column, int id, CancellationToken ct)
    {
        var forUpdate = db.Database.IsNpgsql() ? " FOR UPDATE" : "";
#pragma warning disable EF1002 // table and column are constants of this class; the id is a parameter.
        var stored = await db.Database.SqlQueryRaw<int?>($"SELECT \"{column}\" AS \"Value\" FROM \"{table}\" WHERE \"Id\" = {{0}}{forUpdate}", id)
            .ToListAsync(ct);
#pragma warning restore EF1002
        return stored.FirstOrDefault();
    }

    private static void Both(EntityEntry entry, string property, HashSet<int> into)
    {
        // A parent added by the same save has only a temporary key here; it is logged as created anyway.
        if (entry.State != EntityState.Deleted && !entry.Property(property).IsTemporary && entry.CurrentValues[property] is int current)
        {
            into.Add(current);
        }

        if (entry.State != EntityState.Added && entry.OriginalValues[property] is int original)
        {
            into.Add(original);
        }
    }

    public static string? ClassOf(object entity) => entity switch
    {
        Contact => SyncClasses.Contact,
        Tag => SyncClasses.Tag,
        TagCategory => SyncClasses.TagCategory,
        CrmTask => SyncClasses.Task,
        LogMethod => SyncClasses.LogMethod,
        Notification => SyncClasses.Notification,
        Note => SyncClasses.Note,
        Reservation => SyncClasses.Reservation,
        StaticText => SyncClasses.StaticText,
        UserVenue => SyncClasses.UserVenue,
        ContactQualification => SyncClasses.ContactQualification,
        _ => null,
    };

    /// <summary>The column of a venue-bound or per-user class that says who may see its records, and the table holding it.</summary>
    private sealed record ScopeColumn(string Table, string Column, bool IsVenue)
    {
        public (int? Venue, int? User) Of(int? value) => IsVenue ? (value, null) : (null, value);
    }

    private static readonly Dictionary<Type, ScopeColumn> Scopes = new()
    {
        [typeof(ContactQualification)] = new("ContactQualifications", nameof(ContactQualification.VenueId), IsVenue: true),
        [typeof(Reservation)] = new("Reservations", nameof(Reservation.VenueId), IsVenue: true),
        [typeof(CrmTask)] = new("Tasks", nameof(CrmTask.UserId), IsVenue: false),
        [typeof(Notification)] = new("Notifications", nameof(Notification.UserId), IsVenue: false),
        [typeof(UserVenue)] = new("UserVenues", nameof(UserVenue.UserId), IsVenue: false),
    };

    /// <summary>Who may see the record with these values: (venue, user) for venue-bound and per-user classes, (null, null) company-wide.</summary>
    private static (int? Venue, int? User) ScopeOf(object entity, Func<PropertyValues> values) =>
        Scopes.TryGetValue(entity.GetType(), out var scope) ? scope.Of((int?)values()[scope.Column]) : (null, null);

    /// <summary>
    /// Writes the save's log rows. On PostgreSQL, a transaction capture opened for the save is committed by the command
    /// that inserts them: the COMMIT rides on the INSERT instead of taking a round trip of its own after it.
    /// </summary>
    private async Task<LogWritten> WriteLogAsync(VelvetDb db, Pending pending, CancellationToken ct)
    {
        // The signed-in company's zone comes from authentication; any other company's is read once.
        var zones = new Dictionary<int, TimeZoneInfo>();
        if (db.Tenant is { CompanyId: { } own, CompanyZone: { } ownZone })
        {
            zones[own] = ownZone;
        }

        async ValueTask<TimeZoneInfo> ZoneAsync(int company)
        {
            if (!zones.TryGetValue(company, out var zone))
            {
                zone = zones[company] = WireTime.Zone(await db.Companies.IgnoreQueryFilters().Where(c => c.Id == company).Select(c => c.TimeZoneId).SingleAsync(ct));
            }

            return zone;
        }

        var rows = new List<ChangeLogEntry>();
        var composite = new Dictionary<(string, int), (int Company, string Action, int? Venue, int? User)>();

        foreach (var captured in pending.Entries)
        {
            var company = ((ICompanyOwned)captured.Entity).CompanyId;
            var id = IdOf(captured.Entity);
            if (captured.State == EntityState.Deleted)
            {
                rows.Add(Row(company, captured.ClassName, id, Destroy, null, captured.OldVenueId, captured.OldUserId));
                continue;
            }

            // A modified record is read back: columns this context did not change may have been changed by another
            // writer since it loaded the entity, and the log must carry the stored row (scope and data). A composite
            // record visible company-wide needs no read here: its data is read below, and it has no scope to read.
            var stored = captured.State == EntityState.Modified && captured.Entity is not (Contact or TagCategory)
                ? await db.Entry(captured.Entity).GetDatabaseValuesAsync(ct)
                : null;
            var entity = stored?.ToObject() ?? captured.Entity;
            var (venue, user) = ScopeOf(captured.Entity, () => stored ?? db.Entry(captured.Entity).CurrentValues);
            if (captured.State == EntityState.Modified && (venue != captured.OldVenueId || user != captured.OldUserId))
            {
                // The record leaves the old scope without being deleted: viewers there receive a destroy.
                rows.Add(Row(company, captured.ClassName, id, Destroy, null, captured.OldVenueId, captured.OldUserId));
            }

            var action = captured.State == EntityState.Added ? Create : Update;
            if (ChangeData.IsComposite(captured.ClassName))
            {
                composite[(captured.ClassName, id)] = (company, action, venue, user);
            }
            else
            {
                rows.Add(Row(company, captured.ClassName, id, action, ChangeData.Simple(entity, await ZoneAsync(company)), venue, user));
            }
        }

        await AddParentsAsync(db, pending, SyncClasses.Contact, pending.Contacts, composite, ct);
        await AddParentsAsync(db, pending, SyncClasses.Task, pending.Tasks, composite, ct);
        await AddParentsAsync(db, pending, SyncClasses.TagCategory, pending.Categories, composite, ct);

        foreach (var group in composite.GroupBy(c => c.Key.Item1))
        {
            // Every record read here is locked: by this save's own update, or as a parent before the save
            // (LockParentsAsync); one this save created is invisible to others.
            var byCompany = group.GroupBy(g => g.Value.Company);
            foreach (var companyGroup in byCompany)
            {
                List<int> ids = [.. companyGroup.Select(c => c.Key.Item2)];
                var zone = await ZoneAsync(companyGroup.Key);
                var data = group.Key == SyncClasses.Contact && pending.Ridden is { } ridden && ids.All(ridden.ContainsKey)
                    ? ids.ToDictionary(id => id, id => ChangeData.ContactData(ridden[id], zone))
                    : await ChangeData.CompositeAsync(db, group.Key, ids, zone, ct);

                foreach (var ((className, id), (company, action, venue, user)) in companyGroup)
                {
                    if (data.TryGetValue(id, out var json))
                    {
                        rows.Add(Row(company, className, id, action, json, venue, user));
                    }
                }
            }
        }

        if (pending.AwaitingRegistration)
        {
            // The save sent no batch this writer could ride on.
#pragma warning disable EF1002 // the statement is a constant of SyncWatermark; the key is a parameter.
            await db.Database.ExecuteSqlRawAsync(SyncWatermark.RegistrationSql("{0}"), [_watermark.WriterKey()], ct);
#pragma warning restore EF1002
        }

        // Read now: after this writer's registration and row locks (its own updates, LockParentsAsync), so a later writer
        // of the same record always stamps at or above this one, and a repeated boundary entry never replays an older version.
        var now = _watermark.NowTicks();
        foreach (var row in rows)
        {
            row.Stamp = now;
        }

        if (pending.ExpiredUsers.Count > 0)
        {
            // A user's venues or permissions changed: their devices must reload (SPEC §4). A set-based delete in this
            // transaction: acknowledgments are not captured, and a nested save would run every interceptor again.
            await db.Set<SyncAcknowledgment>().IgnoreQueryFilters()
                .Where(a => pending.ExpiredUsers.Contains(a.UserId)).ExecuteDeleteAsync(ct);
        }

        var commit = pending.OwnsTransaction && rows.Count > 0 && db.Database.IsNpgsql();
        await InsertAsync(db, rows, commit, ct);
        // Expired acknowledgments matter to waiting devices too: their next read answers "No achievements".
        return commit ? LogWritten.AndCommitted
            : rows.Count > 0 || pending.ExpiredUsers.Count > 0 ? LogWritten.Logged
            : LogWritten.Nothing;
    }

    /// <summary>
    /// A plain multi-row INSERT on the writer's connection and transaction, past EF: nothing needs reading back, and
    /// the change tracker's pipeline (or EF's raw SQL path) would be much of what capture costs a one-record save.
    /// With <paramref name="commit"/>, the last command ends with the transaction's COMMIT (PostgreSQL): Npgsql follows
    /// the transaction's status from the server's replies, so its transaction object knows it has completed.
    /// </summary>
    private static async Task InsertAsync(VelvetDb db, List<ChangeLogEntry> rows, bool commit, CancellationToken ct)
    {
        const int RowsPerStatement = 500; // far below either engine's limit on parameters per statement
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var chunk = rows.Skip(start).Take(RowsPerStatement);
            await using var command = RawSql.CreateCommand(db.Database);
            var sql = new System.Text.StringBuilder("INSERT INTO \"ChangeLog\" (\"CompanyId\", \"ClassName\", \"RecordId\", \"Action\", \"Data\", \"VenueId\", \"UserId\", \"Stamp\") VALUES ");
            string Add(object? value, System.Data.DbType type) =>
                RawSql.AddParameter(command, "p" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), value, type);

            foreach (var row in chunk)
            {
                sql.Append(command.Parameters.Count == 0 ? "(" : ", (")
                    .Append(Add(row.CompanyId, System.Data.DbType.Int32)).Append(", ")
                    .Append(Add(row.ClassName, System.Data.DbType.String)).Append(", ")
                    .Append(Add(row.RecordId, System.Data.DbType.Int32)).Append(", ")
                    .Append(Add(row.Action, System.Data.DbType.String)).Append(", ")
                    .Append(Add(row.Data, System.Data.DbType.String)).Append(", ")
                    .Append(Add(row.VenueId, System.Data.DbType.Int32)).Append(", ")
                    .Append(Add(row.UserId, System.Data.DbType.Int32)).Append(", ")
                    .Append(Add(row.Stamp, System.Data.DbType.Int64)).Append(')');
            }

            if (commit && start + RowsPerStatement >= rows.Count)
            {
                sql.Append(";\nCOMMIT");
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// A parent's JSON is read from its children. Two PostgreSQL writers changing children of one parent would
    /// each read the other's change as uncommitted and log a stale parent; locking the parent row serializes
    /// them, so the second reads the first's committed change. The lock is taken before the save's own statements:
    /// a child's insert holds a key-share lock on its parent (the foreign key check), and two writers that each
    /// held one while waiting to lock the parent would deadlock. SQLite writers are serialized already.
    /// </summary>
    private static async Task LockParentsAsync(VelvetDb db, Pending pending, CancellationToken ct)
    {
        // A parent this save deletes is never read (AddParentsAsync). One it updates is locked here all the same, with
        // the others in id order: its own UPDATE would lock it only after the save's child inserts, in their order.
        await LockRowsAsync(db, "Contacts", pending.Surviving(SyncClasses.Contact, pending.Contacts), ct);
        await LockRowsAsync(db, "Tasks", pending.Surviving(SyncClasses.Task, pending.Tasks), ct);
        await LockRowsAsync(db, "TagCategories", pending.Surviving(SyncClasses.TagCategory, pending.Categories), ct);
    }

    private static async Task LockRowsAsync(VelvetDb db, string table, List<int> ids, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql() || ids.Count == 0)
        {
            return;
        }

        ids.Sort();
#pragma warning disable EF1002 // the table name is a constant of this class; ids are a parameter.
        await db.Database.ExecuteSqlRawAsync($"SELECT 1 FROM \"{table}\" WHERE \"Id\" = ANY({{0}}) ORDER BY \"Id\" FOR UPDATE", [ids.ToArray()], ct);
#pragma warning restore EF1002
    }

    /// <summary>Parents whose JSON changed with a child. The parent's own create/update wins; a destroyed parent gets nothing more.</summary>
    private static async Task AddParentsAsync(VelvetDb db, Pending pending, string className, HashSet<int> ids,
        Dictionary<(string, int), (int Company, string Action, int? Venue, int? User)> composite, CancellationToken ct)
    {
        var missing = pending.Surviving(className, ids).Where(id => !composite.ContainsKey((className, id))).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        List<(int Id, int Company, int? User)> parents = className switch
        {
            // The contacts' read rode on the save's batch: their companies are known already.
            SyncClasses.Contact when pending.Ridden is { } ridden && missing.All(ridden.ContainsKey) => [.. missing.Select(id => (id, ridden[id].Contact.CompanyId, (int?)null))],
            SyncClasses.Contact => [.. (await db.Contacts.IgnoreQueryFilters().Where(c => missing.Contains(c.Id)).Select(c => new { c.Id, c.CompanyId }).ToListAsync(ct)).Select(c => (c.Id, c.CompanyId, (int?)null))],
            SyncClasses.Task => [.. (await db.Set<CrmTask>().IgnoreQueryFilters().Where(t => missing.Contains(t.Id)).Select(t => new { t.Id, t.CompanyId, t.UserId }).ToListAsync(ct)).Select(t => (t.Id, t.CompanyId, (int?)t.UserId))],
            _ => [.. (await db.TagCategories.IgnoreQueryFilters().Where(c => missing.Contains(c.Id)).Select(c => new { c.Id, c.CompanyId }).ToListAsync(ct)).Select(c => (c.Id, c.CompanyId, (int?)null))],
        };
        foreach (var (id, company, user) in parents)
        {
            composite[(className, id)] = (company, Update, null, user);
        }
    }

    private static int IdOf(object entity) => entity switch
    {
        Contact e => e.Id,
        Tag e => e.Id,
        TagCategory e => e.Id,
        CrmTask e => e.Id,
        LogMethod e => e.Id,
        Notification e => e.Id,
        Note e => e.Id,
        Reservation e => e.Id,
        StaticText e => e.Id,
        UserVenue e => e.Id,
        ContactQualification e => e.Id,
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    /// <summary>A log row; stamped once every lock its writer needs is held (WriteLogAsync).</summary>
    private static ChangeLogEntry Row(int company, string className, int id, string action, string? data, int? venue, int? user) =>
        new() { CompanyId = company, ClassName = className, RecordId = id, Action = action, Data = data, VenueId = venue, UserId = user };
}

