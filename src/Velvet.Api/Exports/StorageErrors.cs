using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Velvet.Api.Exports;

/// <summary>Unique-key violations are how exports enforce "once" across processes (nonces, 4001); both engines.</summary>
internal static class StorageErrors
{
    public static bool IsUniqueViolation(DbUpdateException error) => error.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT (19) with the primary-key or unique extended codes.
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 1555 or 2067,
        _ => false,
    };
}
