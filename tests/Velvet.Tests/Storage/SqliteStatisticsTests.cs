using Microsoft.Data.Sqlite;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Storage;

/// <summary>The embedded database finds a company's contact by e-mail through its index, not by reading every contact.</summary>
public sealed class SqliteStatisticsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task After_the_refresh_a_contact_lookup_behind_the_tenant_filter_searches_the_index_instead_of_scanning()
    {
        var world = await TestWorld.CreateAsync(app);
        await app.WithDbAsync(async (db, _) =>
        {
            db.Contacts.AddRange(Enumerable.Range(0, 500).Select(i =>
            {
                var contact = new Contact { CompanyId = world.Company.Id, FirstName = "Guest" + i, Email = $"guest{i}@example.com", Phone = $"(212)555-{i:D4}" };
                contact.RefreshSearchKeys();
                return contact;
            }));
            await db.SaveChangesAsync();
            await SqliteStatistics.RefreshAsync(db, CancellationToken.None);
        });

        // The shape EF sends for a company's query: the tenant filter with its "system" switch as a parameter.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.DataDir, "velvet.db")}");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = """EXPLAIN QUERY PLAN SELECT "Id" FROM "Contacts" WHERE (@system OR "CompanyId" = @company) AND "EmailKey" = @key""";
        explain.Parameters.AddWithValue("@system", false);
        explain.Parameters.AddWithValue("@company", world.Company.Id);
        explain.Parameters.AddWithValue("@key", "guest42@example.com");
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(reader.FieldCount - 1));
            }
        }

        Assert.Contains(plan, step => step.StartsWith("SEARCH", StringComparison.Ordinal) && step.Contains("IX_Contacts_CompanyId_EmailKey", StringComparison.Ordinal));
    }
}
