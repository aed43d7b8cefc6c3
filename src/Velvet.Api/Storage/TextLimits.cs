using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Velvet.Api.Storage;

/// <summary>Texts their columns cannot hold; the error middleware answers them 400, naming every field and its rule.</summary>
internal sealed class UnstorableTextException(IReadOnlyDictionary<string, string[]> problems)
    : Exception(string.Join(", ", problems.SelectMany(p => p.Value.Select(problem => $"{p.Key} {problem}"))))
{
    /// <summary>By property name, in the API's words, e.g. "is too long (maximum is 100 characters)".</summary>
    public IReadOnlyDictionary<string, string[]> Problems { get; } = problems;
}

/// <summary>
/// A text the entity derives from others it holds (a search key), which fails almost only when one of those does: it is
/// named only when nothing else of its entity fails, so the client is told of the fields it sent.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DerivedTextAttribute : Attribute;

/// <summary>
/// Every save's texts against what their columns hold, before anything is sent. PostgreSQL refuses a text longer
/// than its column, or one with a NUL character, and the client got a 500; SQLite stored either as it came. Both
/// engines now refuse them alike, whichever endpoint wrote them. Registered before the capture interceptors, so a
/// refused save has opened no transaction (EF raises no SaveChangesFailed for a throw while saving starts).
/// </summary>
internal sealed class TextLimits : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    /// <summary>
    /// Every text of the entity its column cannot hold, as (property, problem); none when all fit. An entity not
    /// tracked yet (an import's candidate) is checked whole, a modified one only in the properties it changes.
    /// </summary>
    public static IEnumerable<(string Property, string Problem)> Problems(EntityEntry entry)
    {
        List<(string Property, string Problem)>? derived = null;
        var sent = false;
        foreach (var (column, isDerived) in TextColumnsOf(entry.Metadata))
        {
            var property = entry.Property(column);
            if ((entry.State == EntityState.Modified && !property.IsModified) || property.CurrentValue is not { } value)
            {
                continue;
            }

            // What the column receives: a converted property (a user's permissions) is stored as its provider value.
            var converter = column.GetTypeMapping().Converter;
            var text = (string)(converter is null ? value : converter.ConvertToProvider(value)!);

            foreach (var problem in ProblemsOf(column, text))
            {
                if (isDerived)
                {
                    (derived ??= []).Add((column.Name, problem));
                }
                else
                {
                    sent = true;
                    yield return (column.Name, problem);
                }
            }
        }

        if (!sent && derived is not null)
        {
            foreach (var problem in derived)
            {
                yield return problem;
            }
        }
    }

    private static IEnumerable<string> ProblemsOf(IProperty column, string text)
    {
        // Characters, as the column counts them: an emoji is two UTF-16 units but one character.
        if (column.GetMaxLength() is { } max && text.Length > max && text.EnumerateRunes().Count() > max)
        {
            yield return $"is too long (maximum is {max} characters)";
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            yield return "contains a null character";
        }
    }

    // Every save passes here: each entity type's text columns are found once, not among its dates and numbers each time.
    private static readonly ConcurrentDictionary<IEntityType, (IProperty Column, bool IsDerived)[]> TextColumns = new();

    private static (IProperty Column, bool IsDerived)[] TextColumnsOf(IEntityType type) => TextColumns.GetOrAdd(type, static t =>
        [.. t.GetProperties().Where(p => (p.GetTypeMapping().Converter?.ProviderClrType ?? p.ClrType) == typeof(string))
            .Select(p => (p, p.PropertyInfo?.IsDefined(typeof(DerivedTextAttribute), inherit: false) == true))]);

    private static void Check(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        Dictionary<string, List<string>>? problems = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            foreach (var (property, problem) in Problems(entry))
            {
                problems ??= new(StringComparer.Ordinal);
                if (!problems.TryGetValue(property, out var list))
                {
                    problems[property] = list = [];
                }

                if (!list.Contains(problem, StringComparer.Ordinal))
                {
                    list.Add(problem);
                }
            }
        }

        if (problems is not null)
        {
            throw new UnstorableTextException(problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
