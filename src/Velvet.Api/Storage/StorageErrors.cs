using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Velvet.Api.Storage;

/// <summary>What a database error means to the request that met it, on both engines.</summary>
internal static class StorageErrors
{
    /// <summary>Unique-key violations are how exports enforce "once" across processes (nonces, 4001).</summary>
    public static bool IsUniqueViolation(DbUpdateException error) => error.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT (19) with the primary-key or unique extended codes.
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 1555 or 2067,
        _ => false,
    };

    /// <summary>A row this write refers to (a contact, a tag, a venue) was deleted by another request after it was read.</summary>
    public static bool IsForeignKeyViolation(DbUpdateException error) => error.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        // SQLITE_CONSTRAINT (19) with SQLITE_CONSTRAINT_FOREIGNKEY (787).
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode == 787,
        _ => false,
    };

    /// <summary>
    /// The write lost to another one (a deadlock, a serialization failure), or the database was busy or out of reach:
    /// the transaction rolled back whole, and the same request sent again can succeed.
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        // SQLITE_BUSY (5), SQLITE_LOCKED (6): the busy timeout ran out while another writer held the database.
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6,
        // EF wraps them: in a DbUpdateException when saving, in an InvalidOperationException when its execution
        // strategy recognized one.
        DbUpdateException or InvalidOperationException => error.InnerException is { } inner && IsTransient(inner),
        _ => false,
    };
}
