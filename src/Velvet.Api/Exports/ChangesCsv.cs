using System.Collections;
using System.Collections.ObjectModel;
using System.Data.Common;
using Sylvan.Data.Csv;

namespace Velvet.Api.Exports;

/// <summary>
/// The export file (SPEC §5): RFC 4180 with CRLF line ends, UTF-8, <c>user_id</c> then the requested fields,
/// an optional header row in the requested language, and spreadsheet formulas neutralised. Rows are pulled
/// one at a time from an async source, so memory stays flat however many contacts match.
/// </summary>
internal static class ChangesCsv
{
    public const string IdColumn = "user_id";

    public static CsvDataWriterOptions Options(char delimiter, bool header) => new()
    {
        Delimiter = delimiter,
        Quote = '"',
        Escape = '"',
        NewLine = "\r\n",
        WriteHeaders = header,
        // Quote only when needed (delimiter, quote, line break), as RFC 4180 readers expect.
        QuoteStrings = CsvStringQuoting.Default,
        Style = CsvStyle.Standard,
    };

    public static IReadOnlyList<string> Header(IReadOnlyList<ContactField> fields, string language) =>
        [IdColumn, .. fields.Select(f => f.Label(language))];

    /// <summary>
    /// A cell starting with = + - @ (or a tab or carriage return, which some spreadsheets skip before reading
    /// the formula) is prefixed with an apostrophe, the OWASP CSV-injection advice: a spreadsheet then shows the
    /// text instead of running it. The contact id column is numeric and left alone.
    /// </summary>
    public static string? Neutralise(string? value) =>
        value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    /// <summary>Writes every row and returns how many data rows were written.</summary>
    public static async Task<int> WriteAsync(TextWriter output, IReadOnlyList<string> header, char delimiter, bool writeHeader,
        IAsyncEnumerable<string?[]> rows, CancellationToken ct)
    {
        var reader = new RowReader(header, rows.GetAsyncEnumerator(ct));
        await using (reader.ConfigureAwait(false))
        {
            var writer = CsvDataWriter.Create(output, Options(delimiter, writeHeader));
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteAsync(reader, ct).ConfigureAwait(false);
            }
        }

        return reader.Rows;
    }

    /// <summary>Sylvan writes from a DbDataReader; this one serves string rows from an async stream.</summary>
    private sealed class RowReader(IReadOnlyList<string> names, IAsyncEnumerator<string?[]> rows) : DbDataReader, IDbColumnSchemaGenerator
    {
        public ReadOnlyCollection<DbColumn> GetColumnSchema() =>
            names.Select((name, i) => (DbColumn)new StringColumn(name, i)).ToList().AsReadOnly();

        private string?[] _current = [];

        public int Rows { get; private set; }

        public override int FieldCount => names.Count;

        public override object this[int ordinal] => GetValue(ordinal);

        public override object this[string name] => GetValue(GetOrdinal(name));

        public override int RecordsAffected => -1;

        public override bool HasRows => true;

        public override bool IsClosed => false;

        public override int Depth => 0;

        public override async Task<bool> ReadAsync(CancellationToken cancellationToken)
        {
            if (!await rows.MoveNextAsync().ConfigureAwait(false))
            {
                return false;
            }

            _current = rows.Current;
            Rows++;
            return true;
        }

        // Sylvan's async writer reads asynchronously; the sync path exists only to satisfy DbDataReader.
        public override bool Read() => ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override bool NextResult() => false;

        public override string GetName(int ordinal) => names[ordinal];

        public override int GetOrdinal(string name) => names.ToList().IndexOf(name);

        public override Type GetFieldType(int ordinal) => typeof(string);

        public override string GetDataTypeName(int ordinal) => "string";

        public override bool IsDBNull(int ordinal) => _current[ordinal] is null;

        public override string GetString(int ordinal) => _current[ordinal] ?? "";

        public override object GetValue(int ordinal) => (object?)_current[ordinal] ?? DBNull.Value;

        public override int GetValues(object[] values)
        {
            var count = Math.Min(values.Length, FieldCount);
            for (var i = 0; i < count; i++)
            {
                values[i] = GetValue(i);
            }

            return count;
        }

        public override bool GetBoolean(int ordinal) => throw new NotSupportedException();

        public override byte GetByte(int ordinal) => throw new NotSupportedException();

        public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

        public override char GetChar(int ordinal) => throw new NotSupportedException();

        public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
        {
            var value = GetString(ordinal);
            if (buffer is null)
            {
                return value.Length;
            }

            var count = (int)Math.Min(length, value.Length - dataOffset);
            value.CopyTo((int)dataOffset, buffer, bufferOffset, count);
            return count;
        }

        public override DateTime GetDateTime(int ordinal) => throw new NotSupportedException();

        public override decimal GetDecimal(int ordinal) => throw new NotSupportedException();

        public override double GetDouble(int ordinal) => throw new NotSupportedException();

        public override float GetFloat(int ordinal) => throw new NotSupportedException();

        public override Guid GetGuid(int ordinal) => throw new NotSupportedException();

        public override short GetInt16(int ordinal) => throw new NotSupportedException();

        public override int GetInt32(int ordinal) => throw new NotSupportedException();

        public override long GetInt64(int ordinal) => throw new NotSupportedException();

        public override IEnumerator GetEnumerator() => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await rows.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class StringColumn : DbColumn
    {
        public StringColumn(string name, int ordinal)
        {
            ColumnName = name;
            ColumnOrdinal = ordinal;
            DataType = typeof(string);
            DataTypeName = "string";
            AllowDBNull = true;
        }
    }
}
