using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Velvet.Api.Storage;

namespace Velvet.Api.Sync;

/// <summary>
/// The rows of a Last Changes reply, read with a plain data reader over the SQL EF builds for the query (tenancy
/// filters included), so no entity or string is made for an entry's data: it arrives as its stored UTF-8 bytes and
/// leaves as a raw JSON value. Holds the context's connection open until disposed.
/// </summary>
internal sealed class LogRows : IAsyncDisposable
{
    private readonly VelvetDb _db;
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;
    private readonly int _id;
    private readonly int _className;
    private readonly int _recordId;
    private readonly int _action;
    private readonly int _data;
    private byte[] _buffer = new byte[4096];

    private LogRows(VelvetDb db, DbCommand command, DbDataReader reader)
    {
        _db = db;
        _command = command;
        _reader = reader;
        _id = reader.GetOrdinal(nameof(ChangeLogEntry.Id));
        _className = reader.GetOrdinal(nameof(ChangeLogEntry.ClassName));
        _recordId = reader.GetOrdinal(nameof(ChangeLogEntry.RecordId));
        _action = reader.GetOrdinal(nameof(ChangeLogEntry.Action));
        _data = reader.GetOrdinal(nameof(ChangeLogEntry.Data));
    }

    /// <summary>Runs the query (already ordered) and returns the open rows, before the first.</summary>
    public static async Task<LogRows> OpenAsync(VelvetDb db, IQueryable<ChangeLogEntry> query, CancellationToken ct)
    {
        var command = query.Select(e => new { e.Id, e.ClassName, e.RecordId, e.Action, e.Data }).CreateDbCommand();
        await db.Database.OpenConnectionAsync(ct);

        try
        {
            return new LogRows(db, command, await command.ExecuteReaderAsync(ct));
        }
        catch
        {
            await command.DisposeAsync();
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    public Task<bool> ReadAsync(CancellationToken ct) => _reader.ReadAsync(ct);

    public long Id => _reader.GetInt64(_id);

    public string ClassName => _reader.GetString(_className);

    public int RecordId => _reader.GetInt32(_recordId);

    public string Action => _reader.GetString(_action);

    public bool HasData => !_reader.IsDBNull(_data);

    /// <summary>The stored JSON as UTF-8, valid until the next row.</summary>
    public ReadOnlySpan<byte> Data
    {
        get
        {
            if (_reader is SqliteDataReader)
            {
                // SQLite hands TEXT out as its UTF-8 bytes when asked for a blob.
                return _reader.GetFieldValue<byte[]>(_data);
            }

            // Npgsql copies any column's raw bytes; text arrives in the client encoding, UTF-8.
            var length = checked((int)_reader.GetBytes(_data, 0, null, 0, 0));
            if (_buffer.Length < length)
            {
                _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
            }

            _reader.GetBytes(_data, 0, _buffer, 0, length);
            return _buffer.AsSpan(0, length);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _command.DisposeAsync();
        await _db.Database.CloseConnectionAsync();
    }
}
