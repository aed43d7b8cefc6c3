using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Npgsql.EntityFrameworkCore.PostgreSQL.Update.Internal;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

// The provider's batch is EF's internal API (EF1001): the pinned provider version and the PostgreSQL tests guard it
// (CaptureBatchTests sees what rides on the batch; LastChangesEndpointsTests and others check what is read from it). A command interceptor could append the
// same statements, but once one is registered EF raises command events for every command of every request: about
// 0.1 ms and 10 KB per contact update (docs/benchmarks.md, session 7).
#pragma warning disable EF1001

/// <summary>
/// PostgreSQL: makes the save's batches <see cref="CaptureBatch"/>es. Replaces the provider's factory in contexts that
/// capture (<see cref="ChangeCapture.AddTo"/>); the capture it serves is the one among the context's interceptors.
/// </summary>
internal sealed class CaptureBatchFactory : NpgsqlModificationCommandBatchFactory
{
    private readonly ModificationCommandBatchFactoryDependencies _dependencies;
    private readonly IRelationalTypeMappingSource _typeMappings;
    private readonly int _maxBatchSize;
    private readonly ChangeCapture _capture;

    public CaptureBatchFactory(ModificationCommandBatchFactoryDependencies dependencies, IDbContextOptions options, IRelationalTypeMappingSource typeMappings)
        : base(dependencies, options)
    {
        _dependencies = dependencies;
        _typeMappings = typeMappings;
        // The provider's own default, for an operator who sets none.
        _maxBatchSize = RelationalOptionsExtension.Extract(options).MaxBatchSize ?? 1000;
        _capture = options.FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<ChangeCapture>().SingleOrDefault()
            ?? throw new InvalidOperationException("Capture batches are made for contexts that capture");
    }

    public override ModificationCommandBatch Create() => new CaptureBatch(_dependencies, _maxBatchSize, _typeMappings, _capture);
}

/// <summary>
/// The provider's batch, and on the save's last one what capture has to run after all of the save's statements: the
/// writer's registration, and the read of the contacts whose data the log needs (<see cref="ChangeCapture.RideOnLastBatch"/>).
/// EF reads its own results by position; the rest is read here once EF is done with them.
/// </summary>
internal sealed class CaptureBatch(
    ModificationCommandBatchFactoryDependencies dependencies, int maxBatchSize, IRelationalTypeMappingSource typeMappings, ChangeCapture capture)
    : NpgsqlModificationCommandBatch(dependencies, maxBatchSize)
{
    private bool _rides;

    public override void Complete(bool moreBatchesExpected)
    {
        if (!moreBatchesExpected)
        {
            EndStatement();
            _rides = capture.RideOnLastBatch(Dependencies.CurrentContext.Context, SqlBuilder, AddParameter);
        }

        base.Complete(moreBatchesExpected);
    }

    protected override async Task ConsumeAsync(RelationalDataReader reader, CancellationToken cancellationToken = default)
    {
        await base.ConsumeAsync(reader, cancellationToken);
        if (_rides)
        {
            await capture.ReadRiddenContactsAsync(Dependencies.CurrentContext.Context, reader.DbDataReader);
        }
    }

    // A synchronous save leaves the contacts unread (the results are skipped when the reader closes): capture reads them
    // after the save instead. Contacts are saved asynchronously throughout the server.

    /// <summary>A parameter of the ride, named the way Velvet's own SQL names its parameters (<see cref="RawSql.Placeholder"/>).</summary>
    private string AddParameter(string name, object value)
    {
        var placeholder = RawSql.Placeholder(name);
        RelationalCommandBuilder.AddParameter(name, placeholder, typeMappings.GetMapping(value.GetType()), nullable: false);
        ParameterValues.Add(name, value);
        return placeholder;
    }

    /// <summary>
    /// The batch's last statement ends with a semicolon and a line break, whatever whitespace followed, so a ride starts
    /// on a line of its own (EF's own text ends so already: nothing changes for a save that has nothing to ride).
    /// </summary>
    private void EndStatement()
    {
        var end = SqlBuilder.Length;
        while (end > 0 && char.IsWhiteSpace(SqlBuilder[end - 1]))
        {
            end--;
        }

        SqlBuilder.Length = end;
        if (end > 0 && SqlBuilder[end - 1] != ';')
        {
            SqlBuilder.Append(';');
        }

        SqlBuilder.Append('\n');
    }
}
