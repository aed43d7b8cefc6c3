using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Velvet.Api.Storage;

/// <summary>
/// Untracked rows of one mapped entity, read from a result set of the caller's own command, so that several sets share
/// one command: one round trip on PostgreSQL, and short statements for SQLite to compile instead of one join. EF reads
/// one result set per query (dotnet/efcore#10878). The model still decides all EF would: table, column names, the
/// type each column is read as, and value converters; properties without a column of their own (navigations, shadow
/// keys) are left as constructed.
/// </summary>
internal sealed class EntityRows<T>
    where T : class
{
    // Each engine has a model of its own (tests run both in one process).
    private static readonly ConcurrentDictionary<IModel, EntityRows<T>> ByModel = new();

    private readonly Column[] _columns;
    private readonly Func<T> _create;
    private readonly ISqlGenerationHelper _sql;
    private readonly StoreObjectIdentifier _table;
    private readonly IEntityType _entityType;

    private sealed record Column(Func<DbDataReader, int, object> Read, ValueConverter? Converter, PropertyInfo Property);

    private EntityRows(DbContext db)
    {
        _entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        _table = StoreObjectIdentifier.Table(_entityType.GetTableName()!, _entityType.GetSchema());
        _sql = db.GetService<ISqlGenerationHelper>();
        _columns = [.. _entityType.GetProperties().Where(p => p.PropertyInfo is not null).Select(ColumnOf)];
        // Expression.New also builds types with required members, which a new() constraint refuses.
        _create = Expression.Lambda<Func<T>>(Expression.New(typeof(T))).Compile();
        Select = "SELECT " + string.Join(", ", _entityType.GetProperties().Where(p => p.PropertyInfo is not null).Select(p => ColumnName(p.Name)))
            + " FROM " + _sql.DelimitIdentifier(_table.Name, _table.Schema);
    }

    public static EntityRows<T> For(DbContext db) => ByModel.GetOrAdd(db.Model, static (_, db) => new EntityRows<T>(db), db);

    /// <summary><c>SELECT</c> of every column read, <c>FROM</c> the table: the caller adds the rest.</summary>
    public string Select { get; }

    /// <summary>The delimited column of a property, for the caller's WHERE and ORDER BY.</summary>
    public string ColumnName(string property) =>
        _sql.DelimitIdentifier(_entityType.FindProperty(property)?.GetColumnName(_table) ?? throw new ArgumentOutOfRangeException(nameof(property), property, null));

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
                if (!reader.IsDBNull(i))
                {
                    var value = column.Read(reader, i);
                    column.Property.SetValue(row, column.Converter is null ? value : column.Converter.ConvertFromProvider(value));
                }
            }

            rows.Add(row);
        }

        return rows;
    }

    private static Column ColumnOf(IProperty property)
    {
        var converter = property.GetTypeMapping().Converter;
        var stored = converter?.ProviderClrType ?? property.ClrType;
        var read = typeof(EntityRows<T>).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(Nullable.GetUnderlyingType(stored) ?? stored).CreateDelegate<Func<DbDataReader, int, object>>();
        return new Column(read, converter, property.PropertyInfo!);
    }

    private static object ReadAs<TStored>(DbDataReader reader, int ordinal) => reader.GetFieldValue<TStored>(ordinal)!;
}
