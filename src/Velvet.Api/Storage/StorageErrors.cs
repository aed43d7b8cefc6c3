using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Velvet.Api.Storage;

/// <summary>What a database error means to the request that met it, on both engines.</summary>
internal static class StorageErrors
{
    /// <summary>Unique-key violations are how exports enforce "once" across processes (nonces, 4001).</summary>
    // SQLite's extended codes of SQLITE_CONSTRAINT (19): primary key, unique, foreign key.
    private const int SqlitePrimaryKey = 1555;
    private const int SqliteUnique = 2067;
    private const int SqliteForeignKey = 787;

    public static bool IsUniqueViolation(DbUpdateException error) =>
        IsConstraintViolation(error, PostgresErrorCodes.UniqueViolation, SqlitePrimaryKey, SqliteUnique);

    /// <summary>A row this write refers to (a contact, a tag, a venue) was deleted by another request after it was read.</summary>
    public static bool IsForeignKeyViolation(DbUpdateException error) =>
        IsConstraintViolation(error, PostgresErrorCodes.ForeignKeyViolation, SqliteForeignKey);

    private static bool IsConstraintViolation(DbUpdateException error, string sqlState, params int[] sqliteExtendedCodes) => error.InnerException switch
    {
        PostgresException pg => pg.SqlState == sqlState,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqliteExtendedCodes.Contains(sqlite.SqliteExtendedErrorCode),
        _ => false,
    };

    /// <summary>
    /// The request lost a race that sending it again settles, and nothing it did was kept: PostgreSQL cancelled it
    /// as one of two deadlocked transactions, failed it for a concurrent update, or gave up waiting for a lock or a
    /// connection slot; SQLite's busy timeout ran out while another writer held the database; or a row it counted on
    /// was deleted, or one it inserted was inserted first, by another request after it looked. Not lost
    /// connections or timeouts: a commit may have happened, and the client must not send a create twice.
    /// </summary>
    public static bool IsLostRace(Exception error) => error switch
    {
        DbUpdateConcurrencyException => true,
        DbUpdateException update => IsForeignKeyViolation(update) || IsUniqueViolation(update) || update.InnerException is { } inner && IsLostRace(inner),
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow,
        SqliteException sqlite => sqlite.SqliteErrorCode == 5, // SQLITE_BUSY
        // The one wrapper EF's PostgreSQL execution strategy puts around an error it takes for transient.
        InvalidOperationException { InnerException: (PostgresException or DbUpdateException) and var inner } => IsLostRace(inner),
        _ => false,
    };

    /// <summary>What a log line may say about the error: its code, never its text (which can quote key values).</summary>
    public static string CodeOf(Exception error) => error switch
    {
        PostgresException pg => pg.SqlState,
        SqliteException sqlite => $"SQLite {sqlite.SqliteErrorCode}/{sqlite.SqliteExtendedErrorCode}",
        DbUpdateConcurrencyException => "no row to update",
        { InnerException: { } inner } => CodeOf(inner),
        _ => error.GetType().Name,
    };
}
