using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Storage;
using Velvet.Api.Tags;
using Velvet.Tests.Infrastructure;
using static Velvet.Tests.Sync.SyncTestData;

namespace Velvet.Tests.Storage;

/// <summary>
/// SQLite's answers to a write that lost a race, told apart as the error middleware needs them (PostgreSQL's are
/// exercised through the API in LostRaceTests).
/// </summary>
public sealed class StorageErrorsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_missing_referenced_row_and_a_duplicate_row_are_told_apart_and_neither_is_transient()
    {
        var world = await TestWorld.CreateAsync(app);
        var contact = await AddContactAsync(app, world);
        var tagId = await app.WithDbAsync(async (db, _) =>
        {
            var category = new TagCategory { CompanyId = world.Company.Id, Name = "Drinks" };
            db.TagCategories.Add(category);
            await db.SaveChangesAsync();
            var tag = new Tag { CompanyId = world.Company.Id, TagCategoryId = category.Id, Name = "Champagne" };
            db.Tags.Add(tag);
            await db.SaveChangesAsync();
            db.ContactTags.Add(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tag.Id });
            await db.SaveChangesAsync();
            return tag.Id;
        });

        var missing = await SaveFailureAsync(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tagId + 1000 });
        var duplicate = await SaveFailureAsync(new ContactTag { CompanyId = world.Company.Id, ContactId = contact.Id, TagId = tagId });

        Assert.True(StorageErrors.IsForeignKeyViolation(missing));
        Assert.False(StorageErrors.IsUniqueViolation(missing));
        Assert.True(StorageErrors.IsUniqueViolation(duplicate));
        Assert.False(StorageErrors.IsForeignKeyViolation(duplicate));
        Assert.False(StorageErrors.IsTransient(missing));
        Assert.False(StorageErrors.IsTransient(duplicate));
    }

    [Fact]
    public void A_database_still_locked_when_the_busy_timeout_ran_out_is_transient()
    {
        Assert.True(StorageErrors.IsTransient(new DbUpdateException("save failed", new SqliteException("database is locked", 5))));
        Assert.False(StorageErrors.IsTransient(new SqliteException("no such table: Contacts", 1)));
    }

    private async Task<DbUpdateException> SaveFailureAsync(ContactTag link)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        db.ContactTags.Add(link);
        return await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}
