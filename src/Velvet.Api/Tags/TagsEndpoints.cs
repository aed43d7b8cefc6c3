using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Tags;

/// <summary>tags.md: the company's tag categories, each with its tags.</summary>
internal static class TagsEndpoints
{
    public static IEndpointRouteBuilder MapTags(this IEndpointRouteBuilder routes)
    {
        var tags = routes.MapGroup("/api/v1/settings/tags").WithTags("Tags");
        tags.MapGet("/", List);
        return routes;
    }

    public static async Task<IResult> List(VelvetDb db, Caller caller, CancellationToken ct)
    {
        // Contacts carry tag ids, so whoever may read contacts may read the tags that name them.
        if (!caller.Can("Tag", Permissions.Read) && !caller.Can("Contact", Permissions.Read))
        {
            throw ApiException.NoPermission();
        }

        var categories = await db.TagCategories.AsNoTracking().Include(c => c.Tags).OrderBy(c => c.Id).ToListAsync(ct);
        return Results.Json(
            categories.Select(c => new TagCategoryJson(c.Ancestry, c.Id, c.Name, [.. c.Tags.OrderBy(t => t.Name, StringComparer.Ordinal).Select(TagJson.From)])),
            WireJson.Options);
    }
}
