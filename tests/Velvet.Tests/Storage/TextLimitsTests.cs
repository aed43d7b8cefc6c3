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

        var (property, problems) = Assert.Single(refused.Problems);
        Assert.Equal(field, Velvet.Api.Wire.WireJson.Options.PropertyNamingPolicy!.ConvertName(property));
        Assert.Equal([problem], problems);
        // Refused before anything began: no transaction is left open on the context.
        Assert.Null(db.Database.CurrentTransaction);
    }

    [Fact]
    public async Task Every_text_that_does_not_fit_is_named_with_each_of_its_problems()
    {
        var world = await TestWorld.CreateAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        db.Contacts.Add(new Contact { CompanyId = world.Company.Id, FirstName = new string('x', 101), LastName = "Doe", Title = "C\0EO" });
        db.Contacts.Add(new Contact { CompanyId = world.Company.Id, FirstName = "Ann", LastName = new string('y', 100) + "\0" });

        var refused = await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync());

        Assert.Equal(["FirstName", "LastName", "Title"], refused.Problems.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["is too long (maximum is 100 characters)"], refused.Problems["FirstName"]);
        Assert.Equal(["is too long (maximum is 100 characters)", "contains a null character"], refused.Problems["LastName"]);
        Assert.Equal(["contains a null character"], refused.Problems["Title"]);
    }

    [Fact]
    public async Task A_derived_search_key_is_named_only_when_nothing_else_of_its_record_is()
    {
        var world = await TestWorld.CreateAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VelvetDb>();
        db.Tenant.UseSystem();
        var tooLongName = new Contact { CompanyId = world.Company.Id, FirstName = new string('x', 101), LastName = new string('y', 100) };
        tooLongName.RefreshSearchKeys();
        db.Contacts.Add(tooLongName);
        Assert.Equal(["FirstName"], (await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync())).Problems.Keys);

        db.ChangeTracker.Clear();
        db.Contacts.Add(new Contact { CompanyId = world.Company.Id, FirstName = "Ann", NameKey = new string('z', 202) });
        Assert.Equal(["NameKey"], (await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync())).Problems.Keys);
    }
}
