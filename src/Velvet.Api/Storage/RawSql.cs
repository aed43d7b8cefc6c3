using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Velvet.Api.Storage;

/// <summary>
/// SQL Velvet writes itself, past EF's query pipeline (the export's streamed query, capture's log rows and contact
/// reads): one way to name tables and columns, to make a command and to add its parameters.
/// </summary>
internal static class RawSql
{
    /// <summary>A command on the context's open connection, in its transaction if it has one, with its command timeout.</summary>
    public static DbCommand CreateCommand(DatabaseFacade database)
    {
        var command = database.GetDbConnection().CreateCommand();
        command.Transaction = database.CurrentTransaction?.GetDbTransaction();
        if (database.GetCommandTimeout() is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        return command;
    }

    /// <summary>How SQL text names the parameter <see cref="AddParameter"/> adds under <paramref name="name"/>.</summary>
    public static string Placeholder(string name) => "@" + name;

    /// <summary>Adds a parameter named <see cref="Placeholder"/> of <paramref name="name"/> and returns that placeholder.</summary>
    public static string AddParameter(DbCommand command, string name, object? value, DbType? type = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = Placeholder(name);
        parameter.Value = value ?? DBNull.Value;
        if (type is { } dbType)
        {
            parameter.DbType = dbType;
        }

        command.Parameters.Add(parameter);
        return parameter.ParameterName;
    }
}

/// <summary>Table and column names as the EF model maps them, quoted by the provider.</summary>
internal sealed class SqlNames(DbContext db)
{
    private readonly ISqlGenerationHelper _sql = db.GetService<ISqlGenerationHelper>();

    public string Table<T>() => _sql.DelimitIdentifier(db.Model.FindEntityType(typeof(T))!.GetTableName()!);

    public string Column<T>(string property) =>
        _sql.DelimitIdentifier(db.Model.FindEntityType(typeof(T))!.FindProperty(property)!.GetColumnName());
}
