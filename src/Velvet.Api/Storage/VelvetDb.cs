using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Velvet.Api.Auth;
using Velvet.Api.Contacts;
using Velvet.Api.Exports;
using Velvet.Api.Forms;
using Velvet.Api.LogMethods;
using Velvet.Api.Notes;
using Velvet.Api.Notifications;
using Velvet.Api.Reservations;
using Velvet.Api.Staff;
using Velvet.Api.StaticTexts;
using Velvet.Api.Sync;
using Velvet.Api.Tags;
using Velvet.Api.Tasks;
using Velvet.Api.Venues;

namespace Velvet.Api.Storage;

/// <summary>
/// The unit of work. Two provider-specific subclasses carry the two migration sets;
/// handlers depend on this base type only.
/// </summary>
internal abstract class VelvetDb(DbContextOptions options, Tenant tenant) : DbContext(options), IDataProtectionKeyContext
{
    public Tenant Tenant { get; } = tenant;

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Company> Companies => Set<Company>();

    public DbSet<Venue> Venues => Set<Venue>();

    public DbSet<User> Users => Set<User>();

    public DbSet<UserVenue> UserVenues => Set<UserVenue>();

    public DbSet<Device> Devices => Set<Device>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<SignupForm> SignupForms => Set<SignupForm>();

    public DbSet<PasswordReset> PasswordResets => Set<PasswordReset>();

    public DbSet<PhoneVerification> PhoneVerifications => Set<PhoneVerification>();

    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();

    public DbSet<Contact> Contacts => Set<Contact>();

    public DbSet<ContactOwner> ContactOwners => Set<ContactOwner>();

    public DbSet<ContactQualification> ContactQualifications => Set<ContactQualification>();

    public DbSet<ContactChange> ContactChanges => Set<ContactChange>();

    public DbSet<Tag> Tags => Set<Tag>();

    public DbSet<TagCategory> TagCategories => Set<TagCategory>();

    public DbSet<ContactTag> ContactTags => Set<ContactTag>();

    public DbSet<Note> Notes => Set<Note>();

    public DbSet<ExportJob> ExportJobs => Set<ExportJob>();

    public DbSet<WsseNonce> WsseNonces => Set<WsseNonce>();
    public DbSet<CrmTask> Tasks => Set<CrmTask>();

    public DbSet<LogMethod> LogMethods => Set<LogMethod>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<StaticText> StaticTexts => Set<StaticText>();

    public DbSet<Reservation> Reservations => Set<Reservation>();

    public DbSet<ChangeLogEntry> ChangeLog => Set<ChangeLogEntry>();

    public DbSet<SyncAcknowledgment> SyncAcknowledgments => Set<SyncAcknowledgment>();


    public DbSet<SyncHorizon> SyncHorizons => Set<SyncHorizon>();

    // Read by the query filters at query time; EF Core parameterizes members of the context.
    private bool TenantIsSystem => Tenant.IsSystem;

    private int? TenantCompanyId => Tenant.CompanyId;

    private int[] TenantVenueIds => Tenant.VenueIds;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every stored time is UTC; SQLite hands DateTime back as Unspecified, PostgreSQL's timestamptz insists on Utc.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new CompanyConfiguration());
        modelBuilder.ApplyConfiguration(new VenueConfiguration());
        modelBuilder.ApplyConfiguration(new UserConfiguration());
        modelBuilder.ApplyConfiguration(new UserVenueConfiguration());
        modelBuilder.ApplyConfiguration(new DeviceConfiguration());
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
        modelBuilder.ApplyConfiguration(new SignupFormConfiguration());
        modelBuilder.ApplyConfiguration(new PasswordResetConfiguration());
        modelBuilder.ApplyConfiguration(new PhoneVerificationConfiguration());
        modelBuilder.ApplyConfiguration(new SignInThrottleConfiguration());
        modelBuilder.ApplyConfiguration(new ContactConfiguration());
        modelBuilder.ApplyConfiguration(new ContactOwnerConfiguration());
        modelBuilder.ApplyConfiguration(new ContactQualificationConfiguration());
        modelBuilder.ApplyConfiguration(new ContactChangeConfiguration());
        modelBuilder.ApplyConfiguration(new TagConfiguration());
        modelBuilder.ApplyConfiguration(new TagCategoryConfiguration());
        modelBuilder.ApplyConfiguration(new ContactTagConfiguration());
        modelBuilder.ApplyConfiguration(new NoteConfiguration());
        modelBuilder.ApplyConfiguration(new ExportJobConfiguration());
        modelBuilder.ApplyConfiguration(new WsseNonceConfiguration());
        modelBuilder.ApplyConfiguration(new CrmTaskConfiguration());
        modelBuilder.ApplyConfiguration(new LogMethodConfiguration());
        modelBuilder.ApplyConfiguration(new NotificationConfiguration());
        modelBuilder.ApplyConfiguration(new StaticTextConfiguration());
        modelBuilder.ApplyConfiguration(new ReservationConfiguration());
        modelBuilder.ApplyConfiguration(new ChangeLogEntryConfiguration());
        modelBuilder.ApplyConfiguration(new SyncAcknowledgmentConfiguration());
        modelBuilder.ApplyConfiguration(new SyncHorizonConfiguration());

        ApplyTenancy(modelBuilder);
    }

    /// <summary>The one place isolation is enforced: company on every owned record, venue on venue-bound ones.</summary>
    private void ApplyTenancy(ModelBuilder modelBuilder)
    {
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().Select(e => e.ClrType).ToList())
        {
            if (typeof(IVenueBound).IsAssignableFrom(entityType))
            {
                typeof(VelvetDb).GetMethod(nameof(FilterByVenue), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                    .MakeGenericMethod(entityType).Invoke(this, [modelBuilder]);
            }
            else if (typeof(ICompanyOwned).IsAssignableFrom(entityType))
            {
                typeof(VelvetDb).GetMethod(nameof(FilterByCompany), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                    .MakeGenericMethod(entityType).Invoke(this, [modelBuilder]);
            }
        }
    }

    private void FilterByCompany<T>(ModelBuilder modelBuilder) where T : class, ICompanyOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => TenantIsSystem || e.CompanyId == TenantCompanyId);

    private void FilterByVenue<T>(ModelBuilder modelBuilder) where T : class, IVenueBound =>
        modelBuilder.Entity<T>().HasQueryFilter(e =>
            TenantIsSystem || (e.CompanyId == TenantCompanyId && TenantVenueIds.Contains(e.VenueId)));

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.Value.ToUniversalTime(), DateTimeKind.Utc),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

internal sealed class SqliteVelvetDb(DbContextOptions<SqliteVelvetDb> options, Tenant tenant) : VelvetDb(options, tenant);

internal sealed class PostgresVelvetDb(DbContextOptions<PostgresVelvetDb> options, Tenant tenant) : VelvetDb(options, tenant)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        ContactConfiguration.ConfigurePostgres(modelBuilder);
    }
}
