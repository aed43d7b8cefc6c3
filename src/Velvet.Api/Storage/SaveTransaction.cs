using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Velvet.Api.Storage;

/// <summary>
/// A transaction a save interceptor opens around one save and then commits or rolls back whole. EF would wrap the
/// save in a savepoint of it (SAVEPOINT, then RELEASE: two more round trips on PostgreSQL) for nothing, since a
/// failed save ends the whole transaction; savepoints are off while it lasts.
/// </summary>
internal static class SaveTransaction
{
    public static async Task<IDbContextTransaction> BeginAsync(DbContext db, CancellationToken ct)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Database.AutoSavepointsEnabled = false;
        return transaction;
    }

    /// <summary>
    /// Call when it has ended: saves in a caller's own transaction get their savepoints again. Sync's ChangeCapture
    /// calls it on every transaction event; a transaction disposed without commit or rollback raises none.
    /// </summary>
    public static void Ended(DbContext db) => db.Database.AutoSavepointsEnabled = true;
}
