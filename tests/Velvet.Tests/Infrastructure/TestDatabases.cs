namespace Velvet.Tests.Infrastructure;

/// <summary>
/// Which engines the suite runs on. SQLite always; PostgreSQL when VELVET_TEST_POSTGRES holds an Npgsql
/// connection string for a role that may create databases (.ci/run sets it after starting a server).
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "VELVET_TEST_POSTGRES";

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    public static bool PostgresConfigured => PostgresConnectionString is not null;

    public const string PostgresSkipReason =
        "PostgreSQL cases not run: set " + PostgresVariable + " to an Npgsql connection string (.ci/run does)";
}
