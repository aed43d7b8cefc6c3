namespace Velvet.Api.Exports;

/// <summary>
/// The export file (SPEC §5): RFC 4180 with CRLF line ends, UTF-8, <c>user_id</c> then the requested fields,
/// an optional header row in the requested language, and spreadsheet formulas neutralised. Rows are written
/// as they are read (<see cref="CsvRowWriter"/>), so memory stays flat however many contacts match.
/// </summary>
internal static class ChangesCsv
{
    public const string IdColumn = "user_id";

    public static IReadOnlyList<string> Header(IReadOnlyList<ContactField> fields, string language) =>
        [IdColumn, .. fields.Select(f => f.Label(language))];

    /// <summary>
    /// A cell starting with = + - @ (or a tab or carriage return, which some spreadsheets skip before reading
    /// the formula) is prefixed with an apostrophe, the OWASP CSV-injection advice: a spreadsheet then shows the
    /// text instead of running it. The contact id column is numeric and left alone.
    /// </summary>
    public static string? Neutralise(string? value) => IsFormula(value) ? "'" + value : value;

    public static bool IsFormula(ReadOnlySpan<char> value) => value.Length > 0 && IsFormulaStart(value[0]);

    /// <summary>The same test on UTF-8: every formula character is ASCII, so the first byte decides (a lead byte is never one).</summary>
    public static bool IsFormula(ReadOnlySpan<byte> utf8) => utf8.Length > 0 && IsFormulaStart((char)utf8[0]);

    private static bool IsFormulaStart(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The header row: labels are ours, so they are quoted if need be but never neutralised.</summary>
    public static void WriteHeader(CsvRowWriter csv, IReadOnlyList<string> header)
    {
        foreach (var name in header)
        {
            csv.Cell(name, neutralise: false);
        }

        csv.EndRow();
    }

    /// <summary>Writes string rows as they are (the caller neutralises) and returns how many data rows were written.</summary>
    public static async Task<int> WriteAsync(TextWriter output, IReadOnlyList<string> header, char delimiter, bool writeHeader,
        IAsyncEnumerable<string?[]> rows, CancellationToken ct)
    {
        var csv = CsvRowWriter.For(output, delimiter);
        if (writeHeader)
        {
            WriteHeader(csv, header);
        }

        var count = 0;
        await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            foreach (var cell in row)
            {
                if (cell is null)
                {
                    csv.Empty();
                }
                else
                {
                    csv.Cell(cell, neutralise: false);
                }
            }

            csv.EndRow();
            count++;
            if (csv.Full)
            {
                await csv.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        await csv.FlushAsync(ct).ConfigureAwait(false);
        return count;
    }
}
