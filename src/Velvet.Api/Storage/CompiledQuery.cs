using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Velvet.Api.Storage;

/// <summary>
/// A query EF Core translates once instead of on every call, for the few that run on nearly every request. EF
/// binds a compiled query to the model it first meets, and each engine has a model of its own (tests run both in
/// one process), so each engine gets its own compiled copy.
/// </summary>
internal sealed class CompiledQuery<TParam, TResult>(Expression<Func<VelvetDb, TParam, TResult>> query)
{
    private readonly Func<VelvetDb, TParam, Task<TResult>> _sqlite = EF.CompileAsyncQuery(query);
    private readonly Func<VelvetDb, TParam, Task<TResult>> _postgres = EF.CompileAsyncQuery(query);

    public Task<TResult> RunAsync(VelvetDb db, TParam parameter) =>
        db is PostgresVelvetDb ? _postgres(db, parameter) : _sqlite(db, parameter);
}
