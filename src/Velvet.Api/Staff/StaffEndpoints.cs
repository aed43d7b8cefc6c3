using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Staff;

/// <summary>users.md: the company's staff.</summary>
internal static class StaffEndpoints
{
    public static IEndpointRouteBuilder MapStaff(this IEndpointRouteBuilder routes)
    {
        var staff = routes.MapGroup("/api/v1/staff").WithTags("Staff");
        staff.MapGet("/", List);
        return routes;
    }

    public static async Task<IResult> List(RequestParams p, VelvetDb db, CancellationToken ct)
    {
        var ids = p.IntList("ids");
        var query = db.Users.AsNoTracking().Where(u => u.Active);
        if (ids is not null)
        {
            query = query.Where(u => ids.Contains(u.Id));
        }

        // Staff of the company; the venues shown are those the caller may see.
        var users = await query.Include(u => u.Venues).ThenInclude(v => v.Venue)
            .OrderBy(u => u.FirstName).ThenBy(u => u.LastName).ThenBy(u => u.Id).AsSplitQuery().ToListAsync(ct);
        return Results.Json(users.Select(UserJson.From), WireJson.Options);
    }
}
