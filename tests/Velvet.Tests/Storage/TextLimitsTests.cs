using Microsoft.Extensions.DependencyInjection;
using Velvet.Api.Contacts;
using Velvet.Api.Storage;
using Velvet.Tests.Infrastructure;

namespace Velvet.Tests.Storage;

/// <summary>
/// Texts that do not come from request parameters (an imported file, a job) meet the same limits at the data layer:
/// a save is refused, naming the field, before anything is sent.
/// </summary>
public sealed class TextLimitsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData("title", "C\0EO", "contains a null character")]
    [InlineData("first_name", null, "is too long (maximum is 100 characters)")]
    public async Task A_text_its_column_cannot_hold_is_refused_before_anything_is_written(string field, string? text, string problem)
    {
        var world = await TestWorld.CreateAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        var contact = new Contact { CompanyId = world.Company.Id, FirstName = text is null ? new string('x', 101) : "Ann", Title = text };
        db.Contacts.Add(contact);

        var refused = await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync());

        Assert.Equal(field, Velvet.Api.Wire.WireJson.Options.PropertyNamingPolicy!.ConvertName(refused.Property));
        Assert.Equal(problem, refused.Problem);
        // Refused before anything began: no transaction is left open on the context.
        Assert.Null(db.Database.CurrentTransaction);
    }
}
