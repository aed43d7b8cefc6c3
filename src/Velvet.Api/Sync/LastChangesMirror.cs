using System.Text.Json;

namespace Velvet.Api.Sync;

/// <summary>
/// The client side of the protocol, as a reference for the apps and for the tests: a local copy keyed by
/// class and id. Apply each reply's entries in order (create/update replace the record, destroy removes
/// it; applying one twice is harmless), then keep the reply's timestamp verbatim for the next start_date.
/// On status 1 the copy is stale: reload in full and acknowledge (docs/sync.md).
/// </summary>
public sealed class LastChangesMirror
{
    private readonly Dictionary<(string ClassName, int Id), string> _records = [];

    /// <summary>The next start_date: the last successful reply's timestamp, or the acknowledged load time.</summary>
    public string? Timestamp { get; private set; }

    /// <summary>When paging (limit=): the cursor of the next page, sent with the same start_date; null between deltas.</summary>
    public string? Cursor { get; private set; }

    public IReadOnlyDictionary<(string ClassName, int Id), string> Records => _records;

    public void Start(string timestamp)
    {
        _records.Clear();
        Timestamp = timestamp;
    }

    /// <summary>Applies one reply; false (nothing applied) when its status is 1, with the message.</summary>
    public bool Apply(JsonElement reply, out string? message)
    {
        message = reply.GetProperty("message").ValueKind == JsonValueKind.Null ? null : reply.GetProperty("message").GetString();
        if (reply.GetProperty("status").GetInt32() != 0)
        {
            return false;
        }

        foreach (var entry in reply.GetProperty("activity_log").EnumerateArray())
        {
            var key = (entry.GetProperty("class_name").GetString()!, entry.GetProperty("id").GetInt32());
            if (entry.GetProperty("action").GetString() == "destroy")
            {
                _records.Remove(key);
            }
            else
            {
                _records[key] = entry.GetProperty("data").GetRawText();
            }
        }

        if (reply.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String)
        {
            // Mid-delta: the start_date stays until the last page, whose timestamp then holds for all pages.
            Cursor = next.GetString();
            return true;
        }

        Cursor = null;
        Timestamp = reply.GetProperty("timestamp").GetString();
        return true;
    }
}
