using Microsoft.EntityFrameworkCore;
using Velvet.Api.Auth;
using Velvet.Api.Storage;
using Velvet.Api.Wire;

namespace Velvet.Api.Venues;

/// <summary>venues.md: the venues a user works at, and the filter that narrows venue-bound lists.</summary>
internal static class VenuesEndpoints
{
    public static IEndpointRouteBuilder MapVenues(this IEndpointRouteBuilder routes)
    {
        var venues = routes.MapGroup("/api/v1/venues").WithTags("Venues");
        venues.MapGet("/list", List);
        venues.MapPost("/set_filters", SetFilters);
        return routes;
    }

    public static async Task<IResult> List(VelvetDb db, Caller caller, CancellationToken ct)
    {
        var venues = await db.Venues.AsNoTracking().Where(v => db.Tenant.VenueIds.Contains(v.Id))
            .OrderBy(v => v.Name).ToListAsync(ct);
        return Results.Json(venues.Select(v => VenueJson.From(v, caller.Zone)), WireJson.Options);
    }

    public static async Task<IResult> SetFilters(RequestParams p, VelvetDb db, Caller caller, TimeProvider time, CancellationToken ct)
    {
        var userId = caller.RequireUserId();
        var text = p.Str("venue_ids");
        if (text is null && p.IntList("venue_ids") is { } list)
        {
            text = string.Join(',', list);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiException.BadRequest("Missing parameter: venue_ids");
        }

        HashSet<int>? chosen;
        try
        {
            chosen = VenueFilter.Parse(text);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest($"Invalid value for venue_ids: {e.Message}");
        }

        // Never widen: a venue the user does not work at is refused, not ignored.
        var foreign = chosen?.Where(id => !db.Tenant.VenueIds.Contains(id)).Order().ToList() ?? [];
        if (foreign.Count > 0)
        {
            throw ApiException.BadRequest($"Invalid venue ids: {string.Join(", ", foreign)}");
        }

        var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
        user.VenueFilter = chosen is null ? null : string.Join(',', chosen.Order());
        user.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);

        var filtered = VenueFilter.Apply(user.VenueFilter, db.Tenant.VenueIds);
        var venues = await db.Venues.AsNoTracking().Where(v => filtered.Contains(v.Id)).OrderBy(v => v.Name).ToListAsync(ct);
        return Results.Json(venues.Select(v => VenueJson.From(v, caller.Zone)), WireJson.Options);
    }
}
