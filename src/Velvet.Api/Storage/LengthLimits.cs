using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Velvet.Api.Storage;

/// <summary>A text longer than its column holds; the error middleware answers it 400, naming the field.</summary>
internal sealed class TextTooLongException(string property, int maxLength)
    : Exception($"{property} is longer than {maxLength} characters")
{
    public string Property { get; } = property;

    public int MaxLength { get; } = maxLength;
}

/// <summary>
/// Every save's texts against their columns' lengths, before anything is sent: PostgreSQL refuses a longer one
/// (the client got a 500) where SQLite stores it whole, so both engines now refuse it alike, whichever endpoint
/// wrote it.
/// </summary>
internal sealed class LengthLimits : SaveChangesInterceptor
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
                if (property.Metadata.GetMaxLength() is { } max && property.CurrentValue is string text && text.Length > max
                    && (entry.State == EntityState.Added || property.IsModified))
                {
                    throw new TextTooLongException(property.Metadata.Name, max);
                }
            }
        }
    }
}
