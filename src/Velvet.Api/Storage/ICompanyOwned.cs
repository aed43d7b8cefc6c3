namespace Velvet.Api.Storage;

/// <summary>A record that belongs to one company; the tenant query filter applies to it.</summary>
internal interface ICompanyOwned
{
    int CompanyId { get; set; }
}

/// <summary>A record that also belongs to one venue; it is visible only at the caller's venues.</summary>
internal interface IVenueBound : ICompanyOwned
{
    int VenueId { get; set; }
}
