namespace Velvet.Api.Storage;

/// <summary>The "Velvet" configuration section (environment: Velvet__DataDir, Velvet__Database, …).</summary>
internal sealed class VelvetOptions
{
    public const string Section = "Velvet";

    /// <summary>SQLite database, uploads, local exports and the development mail and SMS outboxes.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>"Sqlite" (embedded default) or "Postgres" (ConnectionStrings:Postgres).</summary>
    public string Database { get; set; } = "Sqlite";

    public bool SeedDemo { get; set; } = true;

    /// <summary>SQLite: refresh the planner's statistics at start and hourly (<see cref="SqliteStatistics"/>).</summary>
    public bool RefreshSqliteStatistics { get; set; } = true;

    /// <summary>Base address used in links sent by e-mail (password reset).</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    public bool UsePostgres => string.Equals(Database, "Postgres", StringComparison.OrdinalIgnoreCase)
        || string.Equals(Database, "PostgreSQL", StringComparison.OrdinalIgnoreCase);

    public string DataPath(params string[] parts) => Path.Combine([Path.GetFullPath(DataDir), .. parts]);
}
