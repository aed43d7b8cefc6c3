using Velvet.Api.Contacts;
using Velvet.Api.Storage;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Sync;

/// <summary>Arranging synced records through the data layer (their endpoints arrive in later issues).</summary>
internal static class SyncTestData
{
    public const string Epoch = "2014-03-03 00:00:00 +0000";

    public static async Task<Contact> AddContactAsync(VelvetApp app, TestWorld world, string firstName = "John") =>
        await app.WithDbAsync(async (db, _) =>
        {
            var contact = new Contact
            {
                CompanyId = world.Company.Id,
                FirstName = firstName,
                Email = $"contact_{Guid.NewGuid():N}@example.com",
                CreatedAt = app.Clock.GetUtcNow().UtcDateTime,
                UpdatedAt = app.Clock.GetUtcNow().UtcDateTime,
            };
            contact.RefreshSearchKeys();
            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            return contact;
        });

    /// <summary>A tag in a category of its own; returns the tag's id.</summary>
    public static Task<int> AddTagAsync(VelvetApp app, TestWorld world) =>
        app.WithDbAsync(async (db, _) =>
        {
            var category = new Velvet.Api.Tags.TagCategory { CompanyId = world.Company.Id, Name = "Drinks" };
            db.TagCategories.Add(category);
            await db.SaveChangesAsync();
            var tag = new Velvet.Api.Tags.Tag { CompanyId = world.Company.Id, TagCategoryId = category.Id, Name = "Champagne" };
            db.Tags.Add(tag);
            await db.SaveChangesAsync();
            return tag.Id;
        });

    public static Task Change(VelvetApp app, Func<VelvetDb, Task> change) =>
        app.WithDbAsync(async (db, _) =>
        {
            await change(db);
            await db.SaveChangesAsync();
        });

    public static async Task AcknowledgeAsync(ApiClient api, string token) =>
        Assert.Equal("Success", (await api.Post("/api/v1/last_changes/acknowledgment.json", ("auth_token", token), ("timestamp", Epoch)))
            .AssertOk().Json.GetProperty("message").GetString());

    public static async Task<System.Text.Json.JsonElement> PullAsync(ApiClient api, string token, string startDate = Epoch) =>
        (await api.Get("/api/v1/last_changes.json", ("auth_token", token), ("start_date", startDate))).AssertOk().Json;

    public static List<(string ClassName, int Id, string Action)> Entries(System.Text.Json.JsonElement reply) =>
        [.. reply.GetProperty("activity_log").EnumerateArray().Select(e =>
            (e.GetProperty("class_name").GetString()!, e.GetProperty("id").GetInt32(), e.GetProperty("action").GetString()!))];
}
