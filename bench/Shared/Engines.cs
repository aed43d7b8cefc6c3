namespace Velvet.Bench;

/// <summary>The engine argument every bench takes: sqlite, postgres or both (PostgreSQL from VELVET_BENCH_POSTGRES).</summary>
internal static class Engines
{
    public const string PostgresVariable = "VELVET_BENCH_POSTGRES";

    /// <summary>Runs the bench on each engine asked for: SQLite with a null connection string, PostgreSQL with the admin one.</summary>
    public static async Task RunAsync(string engines, Func<string, string?, Task> run)
    {
        if (engines is "sqlite" or "both")
        {
            await run("sqlite", null);
        }

        if (engines is "postgres" or "both")
        {
            if (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } admin)
            {
                await run("postgres", admin);
            }
            else
            {
                Console.WriteLine($"postgres: skipped ({PostgresVariable} not set)");
            }
        }
    }
}
