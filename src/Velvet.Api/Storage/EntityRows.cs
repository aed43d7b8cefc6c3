using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Velvet.Api.Storage;

/// <summary>
/// Untracked rows of one mapped entity, read from a result set of the caller's own command, so that several sets share
/// one command: one round trip on PostgreSQL, and short statements for SQLite to compile instead of one join. EF reads
/// one result set per query (dotnet/efcore#10878). The model still decides all EF would: table and column names, the
/// type each column is read as, and value converters. Shadow properties (keys EF keeps for itself) are not read; an
/// entity with a property this cannot set is refused when first used, not read in part.
/// </summary>
internal sealed class EntityRows<T>
    where T : class
{
    // Each engine has a model of its own (tests run both in one process).
    private static readonly ConcurrentDictionary<IModel, EntityRows<T>> ByModel = new();

    private readonly Column[] _columns;
    private readonly Func<T> _create;

    private sealed record Column(Func<DbDataReader, int, object> Read, ValueConverter? Converter, PropertyInfo Property);

    private EntityRows(DbContext db)
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        if (entityType.GetComplexProperties().Any())
        {
            throw new NotSupportedException($"{typeof(T).Name} has complex properties, which rows cannot be read into");
        }

        var properties = entityType.GetProperties().Where(p => !p.IsShadowProperty()).ToArray();
        _columns = [.. properties.Select(ColumnOf)];
        // Expression.New also builds types with required members, which a new() constraint refuses.
        _create = Expression.Lambda<Func<T>>(Expression.New(typeof(T))).Compile();
        var names = new SqlNames(db);
        Select = "SELECT " + string.Join(", ", properties.Select(p => names.Column<T>(p.Name))) + " FROM " + names.Table<T>();
    }

    public static EntityRows<T> For(DbContext db) => ByModel.GetOrAdd(db.Model, static (_, db) => new EntityRows<T>(db), db);

    /// <summary><c>SELECT</c> of every column read, <c>FROM</c> the table: the caller adds the rest.</summary>
    public string Select { get; }

    /// <summary>Every row of the reader's current result set, which must come from <see cref="Select"/>.</summary>
    public async Task<List<T>> ReadAsync(DbDataReader reader, CancellationToken ct)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            var row = _create();
            for (var i = 0; i < _columns.Length; i++)
            {
                var column = _columns[i];
                object? value = null;
                if (!reader.IsDBNull(i))
                {
                    value = column.Read(reader, i);
                    value = column.Converter is null ? value : column.Converter.ConvertFromProvider(value);
                }

                // Set even when NULL: a constructor's default must not stand in for a stored NULL.
                column.Property.SetValue(row, value);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static Column ColumnOf(IProperty property)
    {
        if (property.PropertyInfo is not { SetMethod: not null } member)
        {
            throw new NotSupportedException($"{typeof(T).Name}.{property.Name} has no property setter, which rows are read through");
        }

        var converter = property.GetTypeMapping().Converter;
        var stored = converter?.ProviderClrType ?? property.ClrType;
        var read = typeof(EntityRows<T>).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(Nullable.GetUnderlyingType(stored) ?? stored).CreateDelegate<Func<DbDataReader, int, object>>();
        return new Column(read, converter, member);
    }

    private static object ReadAs<TStored>(DbDataReader reader, int ordinal) => reader.GetFieldValue<TStored>(ordinal)!;
}
