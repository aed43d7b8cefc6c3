using Npgsql;

namespace Velvet.Tests.Infrastructure;

/// <summary>Two server hosts on one PostgreSQL database, as two API nodes in production.</summary>
public sealed class SharedPostgresPair : IAsyncLifetime
{
    private readonly string _database = "velvet_pair_" + Guid.NewGuid().ToString("N")[..16];

    public NodeApp First { get; private set; } = null!;

    public NodeApp Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!TestDatabases.PostgresConfigured)
        {
            return;
        }

        var connection = new NpgsqlConnectionStringBuilder(TestDatabases.PostgresConnectionString) { Database = _database }.ConnectionString;
        First = new NodeApp(connection);
        Second = new NodeApp(connection);
        await First.InitializeAsync();
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (!TestDatabases.PostgresConfigured)
        {
            return;
        }

        await First.DisposeAsync();
        await Second.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestDatabases.PostgresConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public sealed class NodeApp(string connectionString) : VelvetApp
    {
        internal override string Engine => "postgres";

        protected override IDictionary<string, string?> DatabaseSettings() => new Dictionary<string, string?>
        {
            ["Velvet:Database"] = "Postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
        };
    }
}
