using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

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
/// engines now refuse them alike, whichever endpoint wrote them.
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

    private static void Check(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            foreach (var property in entry.Properties)
            {
                if (property.CurrentValue is not string text || (entry.State == EntityState.Modified && !property.IsModified))
                {
                    continue;
                }

                if (property.Metadata.GetMaxLength() is { } max && text.Length > max)
                {
                    throw new UnstorableTextException(property.Metadata.Name, $"is too long (maximum is {max} characters)");
                }

                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    throw new UnstorableTextException(property.Metadata.Name, "contains a null character");
                }
            }
        }
    }
}
