using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Velvet.Api.Storage;

/// <summary>A text its column cannot hold; the error middleware answers it 400, naming the field and the rule.</summary>
internal sealed class UnstorableTextException(string property, string problem) : Exception($"{property} {problem}")
{
    public string Property { get; } = property;

    /// <summary>In the API's words, e.g. "is too long (maximum is 100 characters)".</summary>
    public string Problem { get; } = problem;
}

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
    /// The first text of the entity its column cannot hold, as (property, problem); null when all fit. An entity not
    /// tracked yet (an import's candidate) is checked whole, a modified one only in the properties it changes.
    /// </summary>
    public static (string Property, string Problem)? FirstProblem(EntityEntry entry)
    {
        foreach (var column in TextColumnsOf(entry.Metadata))
        {
            var property = entry.Property(column);
            if ((entry.State == EntityState.Modified && !property.IsModified) || property.CurrentValue is not { } value)
            {
                continue;
            }

            // What the column receives: a converted property (a user's permissions) is stored as its provider value.
            var converter = column.GetTypeMapping().Converter;
            var text = (string)(converter is null ? value : converter.ConvertToProvider(value)!);

            // Characters, as the column counts them: an emoji is two UTF-16 units but one character.
            if (column.GetMaxLength() is { } max && text.Length > max && text.EnumerateRunes().Count() > max)
            {
                return (column.Name, $"is too long (maximum is {max} characters)");
            }

            if (text.Contains('\0', StringComparison.Ordinal))
            {
                return (column.Name, "contains a null character");
            }
        }

        return null;
    }

    // Every save passes here: each entity type's text columns are found once, not among its dates and numbers each time.
    private static readonly ConcurrentDictionary<IEntityType, IProperty[]> TextColumns = new();

    private static IProperty[] TextColumnsOf(IEntityType type) => TextColumns.GetOrAdd(type, static t =>
        [.. t.GetProperties().Where(p => (p.GetTypeMapping().Converter?.ProviderClrType ?? p.ClrType) == typeof(string))]);

    private static void Check(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is (EntityState.Added or EntityState.Modified) && FirstProblem(entry) is var (property, problem))
            {
                throw new UnstorableTextException(property, problem);
            }
        }
    }
}
