namespace Velvet.Api.Storage;

/// <summary>
/// Whose data this unit of work may see. Scoped per request (or per job); the query filters of
/// <see cref="VelvetDb"/> read it at query time. A fresh instance sees nothing until Auth fills it in,
/// so a forgotten check fails closed.
/// </summary>
internal sealed class Tenant
{
    /// <summary>Operators' CLI, migrations and background jobs that work across companies.</summary>
    public bool IsSystem { get; private set; }

    public int? CompanyId { get; private set; }

    /// <summary>Venues the caller works at: venue-bound records elsewhere do not exist for it.</summary>
    public int[] VenueIds { get; private set; } = [];

    /// <summary>
    /// The caller's venue filter (venues/set_filters) applied to <see cref="VenueIds"/>: lists narrow to these,
    /// while a record fetched by id stays reachable at any of the caller's venues.
    /// </summary>
    public int[] FilteredVenueIds { get; private set; } = [];

    /// <summary>The company's time zone as authentication read it, so writes need not read it again.</summary>
    public TimeZoneInfo? CompanyZone { get; private set; }

    public void UseSystem() => IsSystem = true;

    public void UseCompany(int companyId, int[] venueIds, int[] filteredVenueIds, TimeZoneInfo? companyZone)
    {
        CompanyId = companyId;
        VenueIds = venueIds;
        FilteredVenueIds = filteredVenueIds;
        CompanyZone = companyZone;
    }
}
