using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Velvet.Api.Storage;

/// <summary>
/// A query EF Core translates once instead of on every call, for the few that run on nearly every request. EF
/// binds a compiled query to the model it first meets, and each configuration of the context has a model of its own
/// (tests run both engines in one process, the capture bench a server with and one without capture), so each model
/// gets its own compiled copy.
/// The query selects one record by a unique key and is read without FirstOrDefault: with collections included,
/// EF turns a LIMIT into a subquery that repeats every column, a statement SQLite takes much longer to prepare
/// and PostgreSQL to run (measured in docs/benchmarks.md, "What capture adds to a contact update").
/// </summary>
internal sealed class CompiledQuery<TParam, TResult>(Expression<Func<VelvetDb, TParam, IQueryable<TResult>>> query)
    where TResult : class
{
    private readonly ConcurrentDictionary<IModel, Func<VelvetDb, TParam, IAsyncEnumerable<TResult>>> _byModel = new();

    /// <summary>The record, or null when no row has the key.</summary>
    public async Task<TResult?> RunAsync(VelvetDb db, TParam parameter)
    {
        await foreach (var result in _byModel.GetOrAdd(db.Model, static (_, query) => EF.CompileAsyncQuery(query), query)(db, parameter))
        {
            return result;
        }

        return null;
    }
}
