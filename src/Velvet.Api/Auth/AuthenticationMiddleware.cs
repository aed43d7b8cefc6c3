using Microsoft.EntityFrameworkCore;
using Velvet.Api.Staff;
using Velvet.Api.Storage;
using Velvet.Api.Venues;
using Velvet.Api.Wire;

namespace Velvet.Api.Auth;

/// <summary>
/// Resolves auth_token (parameter, or Authorization: Bearer) to a <see cref="Caller"/> and fills the
/// <see cref="Tenant"/> that every query filter reads. Unknown tokens and deactivated users answer 423
/// on every v1 endpoint, as deployed clients expect.
/// </summary>
internal sealed class AuthenticationMiddleware(RequestDelegate next)
{
    public const string DeactivatedMessage = "User has been deactivated";
    public const string InvalidTokenMessage = "Invalid authentication token";
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(5);

    public async Task InvokeAsync(HttpContext context, VelvetDb db, Caller caller, TimeProvider time)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<PublicEndpoint>() is not null
            || !context.Request.Path.StartsWithSegments("/api/v1"))
        {
            await next(context);
            return;
        }

        var parameters = (await RequestParams.BindAsync(context))!;
        var token = parameters.Str("auth_token") ?? BearerToken(context.Request);
        if (string.IsNullOrEmpty(token))
        {
            throw new ApiException(StatusCodes.Status423Locked, InvalidTokenMessage);
        }

        await AuthenticateAsync(db, caller, token, time.GetUtcNow().UtcDateTime, context.RequestAborted);
        await next(context);
    }

    private sealed record SignedIn(Device Device, User? User, string? TimeZoneId, List<int> VenueIds);

    // One round trip for device, user, company zone and venues: this runs before every v1 request, compiled once.
    // Untracked: the permissions' change-tracking snapshot would cost a JSON round trip on every request. The tenant is
    // not known yet: IgnoreQueryFilters lifts the filters for the whole query, subqueries included.
    private static readonly CompiledQuery<string, SignedIn> SignedInQuery = new((db, hash) => db.Devices.IgnoreQueryFilters().AsNoTracking()
        .Where(d => d.TokenHash == hash)
        .Select(d => new SignedIn(
            d,
            d.User,
            db.Companies.Where(c => c.Id == d.CompanyId).Select(c => c.TimeZoneId).FirstOrDefault(),
            db.UserVenues.Where(v => v.UserId == d.UserId).Select(v => v.VenueId).ToList())));

    // A v1 auth_token is a device's token or a server key's; v2 resolves its own keys and joins at UseServerKeyAsync.
    private static async Task AuthenticateAsync(VelvetDb db, Caller caller, string token, DateTime now, CancellationToken ct)
    {
        var hash = Secrets.Hash(token);
        var signedIn = await SignedInQuery.RunAsync(db, hash);
        if (signedIn?.User is { } user)
        {
            if (!user.Active)
            {
                throw new ApiException(StatusCodes.Status423Locked, DeactivatedMessage);
            }

            var device = signedIn.Device;
            var zone = WireTime.Zone(signedIn.TimeZoneId ?? "UTC");
            caller.SignedInUser(user, device, zone);
            var venueIds = signedIn.VenueIds.ToArray();
            db.Tenant.UseCompany(user.CompanyId, venueIds, VenueFilter.Apply(user.VenueFilter, venueIds), zone);
            if (now - device.LastUsedAt > LastUsedPrecision)
            {
                // Devices are not change-captured: a direct update skips the save interceptors and the change tracker.
                await db.Devices.IgnoreQueryFilters().Where(d => d.Id == device.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastUsedAt, now), ct);
            }

            return;
        }

        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(k => k.TokenHash == hash, ct);
        if (key is null)
        {
            throw new ApiException(StatusCodes.Status423Locked, InvalidTokenMessage);
        }

        if (!key.Active)
        {
            throw new ApiException(StatusCodes.Status423Locked, "API key has been deactivated");
        }

        await UseServerKeyAsync(db, caller, key, ct);
    }

    public static async Task UseServerKeyAsync(VelvetDb db, Caller caller, ApiKey key, CancellationToken ct)
    {
        var company = await db.Companies.AsNoTracking().FirstAsync(c => c.Id == key.CompanyId, ct);
        var zone = WireTime.Zone(company.TimeZoneId);
        caller.ServerKey(key, zone);
        var venueIds = await db.Venues.IgnoreQueryFilters()
            .Where(v => v.CompanyId == key.CompanyId).Select(v => v.Id).ToArrayAsync(ct);
        db.Tenant.UseCompany(key.CompanyId, venueIds, venueIds, zone);
    }

    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
