using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Velvet.Api.Storage;

/// <summary>
/// A query EF Core translates once instead of on every call, for the few that run on nearly every request. EF
/// binds a compiled query to the model it first meets, and each engine has a model of its own (tests run both in
/// one process), so each engine gets its own compiled copy.
/// The query selects one record by a unique key and is read without FirstOrDefault: with collections included,
/// EF turns a LIMIT into a subquery that repeats every column, a statement SQLite takes much longer to prepare
/// and PostgreSQL to run (measured in docs/benchmarks.md, "What capture adds to a contact update").
/// </summary>
internal sealed class CompiledQuery<TParam, TResult>(Expression<Func<VelvetDb, TParam, IQueryable<TResult>>> query)
    where TResult : class
{
    private readonly Func<VelvetDb, TParam, IAsyncEnumerable<TResult>> _sqlite = EF.CompileAsyncQuery(query);
    private readonly Func<VelvetDb, TParam, IAsyncEnumerable<TResult>> _postgres = EF.CompileAsyncQuery(query);

    /// <summary>The record, or null when no row has the key.</summary>
    public async Task<TResult?> RunAsync(VelvetDb db, TParam parameter)
    {
        await foreach (var result in (db is PostgresVelvetDb ? _postgres : _sqlite)(db, parameter))
        {
            return result;
        }

        return null;
    }
}
