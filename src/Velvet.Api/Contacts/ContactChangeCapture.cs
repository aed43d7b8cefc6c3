using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Velvet.Api.Auth;
using Velvet.Api.Storage;

namespace Velvet.Api.Contacts;

/// <summary>
/// Writes a <see cref="ContactChange"/> for every contact created, updated or destroyed, whoever saves it,
/// in the same transaction as the change (the v2 export trusts these rows). Updates and destroys are logged
/// before the save; a new contact's id exists only after its insert, so its row is added right after the
/// insert and saved again inside a transaction this hook opens when the caller has none.
/// </summary>
/// <remarks>
/// No foreign key from ContactChange to Contact: a destroy must keep its row after the contact is gone.
/// One instance serves every context, so per-save state lives in a table keyed by the context.
/// </remarks>
internal sealed class ContactChangeCapture : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    private sealed class Pending
    {
        public List<Contact> Created { get; } = [];

        public IDbContextTransaction? Transaction { get; set; }
    }

    // Contacts are saved asynchronously everywhere; a synchronous save of one would skip its log row, so refuse it.
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        eventData.Context?.ChangeTracker.Entries<Contact>().Any(e => e.State != EntityState.Unchanged) == true
            ? throw new NotSupportedException("Contacts are saved with SaveChangesAsync only")
            : result;

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } context)
        {
            return result;
        }

        // Entries() detects the changes (auto-detect is on throughout Velvet).
        var entries = context.ChangeTracker.Entries<Contact>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        if (entries.Count == 0)
        {
            return result;
        }

        var (origin, originId) = OriginOf(context);
        var now = TimeOf(context);
        var pending = new Pending();
        foreach (var entry in entries)
        {
            if (entry.State == EntityState.Added)
            {
                pending.Created.Add(entry.Entity);
                continue;
            }

            // Saving an entity whose only change is a navigation is not an update of the contact itself.
            if (entry.State == EntityState.Modified && !entry.Properties.Any(p => p.IsModified))
            {
                continue;
            }

            context.Add(Change(entry.Entity, entry.State == EntityState.Deleted ? "destroy" : "update", origin, originId, now));
        }

        if (pending.Created.Count > 0)
        {
            if (context.Database.CurrentTransaction is null)
            {
                pending.Transaction = await SaveTransaction.BeginAsync(context, cancellationToken);
            }

            _pending.AddOrUpdate(context, pending);
        }

        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } context || !_pending.TryGetValue(context, out var pending))
        {
            return result;
        }

        _pending.Remove(context);
        var (origin, originId) = OriginOf(context);
        var now = TimeOf(context);
        foreach (var contact in pending.Created)
        {
            context.Add(Change(contact, "create", origin, originId, now));
        }

        try
        {
            result += await context.SaveChangesAsync(cancellationToken);
            if (pending.Transaction is not null)
            {
                await pending.Transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (pending.Transaction is not null)
            {
                await pending.Transaction.DisposeAsync();
                SaveTransaction.Ended(context);
            }
        }

        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && _pending.TryGetValue(context, out var pending))
        {
            _pending.Remove(context);
            if (pending.Transaction is not null)
            {
                await pending.Transaction.DisposeAsync();
                SaveTransaction.Ended(context);
            }
        }
    }

    private static ContactChange Change(Contact contact, string action, string origin, int originId, DateTime now) => new()
    {
        CompanyId = contact.CompanyId,
        ContactId = contact.Id,
        Action = action,
        Origin = origin,
        OriginId = originId,
        ChangedAt = now,
    };

    private static DateTime TimeOf(DbContext context) =>
        (ApplicationServices(context)?.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;

    private static (string Origin, int OriginId) OriginOf(DbContext context) =>
        Origin(ApplicationServices(context)?.GetService(typeof(Caller)) as Caller);

    /// <summary>SPEC §5: the app of the signing-in token (app_id 1–3), else the server key, else source 0.</summary>
    public static (string Origin, int OriginId) Origin(Caller? caller) => caller switch
    {
        { AppId: { } appId } => (ContactOrigin.Api, appId),
        { ApiKeyId: { } keyId } => (ContactOrigin.Api, ContactOrigin.ServerKeyOriginOffset + keyId),
        _ => (ContactOrigin.Api, ContactOrigin.Unknown),
    };

    // The request scope's provider (AddDbContext builds options per scope), so the scoped Caller is this request's.
    private static IServiceProvider? ApplicationServices(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
}
