using System.Net;
using System.Text;
using System.Text.Json;

namespace Velvet.Api.Wire;

/// <summary>
/// Builds Rails' params hash. Pair nesting is a port of ActionDispatch::QueryParser
/// (Rack 3's normalize_params), made iterative so hostile depth cannot overflow the stack.
/// </summary>
internal static class RailsParams
{
    /// <summary>
    /// Nests flat pairs the Rails way: "contact[email]", "ids[]", "a[b][]", and
    /// "owners[][venue_id]" where a new hash starts once the last one already has the key.
    /// A null value (a key sent without "=") becomes <see cref="ParamNull"/>.
    /// </summary>
    public static ParamHash FromPairs(IEnumerable<KeyValuePair<string, string?>> pairs, ParamLimits limits)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(limits);
        var root = new ParamHash();
        var count = 0;
        // Pairs may be a lazy reader: counting as we go stops a 100,000-pair body after MaxKeys + 1.
        foreach (var (name, value) in pairs)
        {
            if (++count > limits.MaxKeys)
            {
                throw new MalformedParamsException("Too many parameters");
            }
            if (name.Length > limits.MaxKeyLength)
            {
                throw new MalformedParamsException("Parameter name too long");
            }
            if (value is not null && value.Length > limits.MaxValueLength)
            {
                throw new MalformedParamsException("Parameter value too long");
            }
            RefuseNul(name);
            RefuseNul(value);
            Store(root, name, value is null ? ParamNull.Instance : new ParamValue(value), limits.MaxDepth);
        }
        return root;
    }

    /// <summary>
    /// A NUL character is no text any client means to send, and PostgreSQL refuses it in every string it compares or
    /// stores (the request failed with a 500 there, and SQLite stored it): refused with the other malformed input.
    /// </summary>
    private static void RefuseNul(string? text)
    {
        if (text is not null && text.Contains('\0', StringComparison.Ordinal))
        {
            throw new MalformedParamsException("Parameter contains a null character");
        }
    }

    // One normalize_params call per loop turn; "recursion" moves target/name/depth down a level.
    private static void Store(ParamHash target, string name, ParamNode value, int maxDepth)
    {
        var depth = 0;
        while (true)
        {
            if (depth > maxDepth)
            {
                throw new MalformedParamsException("Parameters nested too deeply");
            }

            string k;
            var after = "";
            if (depth == 0)
            {
                // The top-level key is everything before the first "[" past position 0,
                // so "[x]" and "a]b" stay literal keys.
                var start = name.Length > 1 ? name.IndexOf('[', 1) : -1;
                if (start < 0)
                {
                    k = name;
                }
                else
                {
                    k = name[..start];
                    after = name[start..];
                }
            }
            else if (name.StartsWith("[]", StringComparison.Ordinal))
            {
                k = "[]";
                after = name[2..];
            }
            else if (name.StartsWith('[') && name.IndexOf(']', 1) is var close and > 0)
            {
                k = name[1..close];
                after = name[(close + 1)..];
            }
            else
            {
                // Unbalanced text below the top ("a[b" leaves "[b"): Rails keeps it as a literal key.
                k = name;
            }

            if (k.Length == 0)
            {
                return;
            }

            if (after.Length == 0)
            {
                // "[]" as a whole name only arrives below an array; Rails returns [v] to the
                // caller, which AddToList handles. Reaching it here means the value is dropped, as in Rails.
                if (!(depth != 0 && k == "[]"))
                {
                    target.Set(k, value);
                }
                return;
            }

            if (after == "[")
            {
                target.Set(name, value);
                return;
            }

            if (after == "[]")
            {
                var list = ListAt(target, k);
                // Rails' deep_munge: "ids[]" without a value adds nothing rather than a nil.
                if (value is not ParamNull)
                {
                    list.Add(value);
                }
                return;
            }

            if (after.StartsWith("[]", StringComparison.Ordinal))
            {
                var child = HashInArrayKey(after) ?? after[2..];
                var list = ListAt(target, k);
                if (list.Items.Count > 0 && list.Items[^1] is ParamHash last && !HasKeyPath(last, child))
                {
                    target = last;
                }
                else if (child == "[]")
                {
                    // "a[][]=v": Rails pushes [v] (or [] for nil) as a new inner list.
                    if (depth + 1 > maxDepth)
                    {
                        throw new MalformedParamsException("Parameters nested too deeply");
                    }
                    var inner = new ParamList();
                    if (value is not ParamNull)
                    {
                        inner.Add(value);
                    }
                    list.Add(inner);
                    return;
                }
                else
                {
                    var fresh = new ParamHash();
                    list.Add(fresh);
                    target = fresh;
                }
                name = child;
                depth++;
                continue;
            }

            var existing = target[k];
            if (existing is null or ParamNull)
            {
                var hash = new ParamHash();
                target.Set(k, hash);
                target = hash;
            }
            else if (existing is ParamHash hash)
            {
                target = hash;
            }
            else
            {
                throw Conflict(k);
            }
            name = after;
            depth++;
        }
    }

    // Rails' `params[k] ||= []` then "expected Array": nil is replaced, anything else conflicts.
    private static ParamList ListAt(ParamHash target, string k)
    {
        switch (target[k])
        {
            case null or ParamNull:
                var list = new ParamList();
                target.Set(k, list);
                return list;
            case ParamList existing:
                return existing;
            default:
                throw Conflict(k);
        }
    }

    private static MalformedParamsException Conflict(string key) =>
        new($"Conflicting types for parameter '{key}'");

    // "[][y]" exactly, with a plain y: the y of a hash inside an array.
    private static string? HashInArrayKey(string after)
    {
        if (after.Length < 4 || after[2] != '[' || after[^1] != ']')
        {
            return null;
        }
        var child = after[3..^1];
        return child.Length > 0 && child.IndexOfAny(['[', ']']) < 0 ? child : null;
    }

    // Rails' params_hash_has_key?: does the last hash already hold this (possibly nested) key?
    // A key containing "[]" never counts as present, so such values keep filling the last hash.
    private static bool HasKeyPath(ParamHash hash, string key)
    {
        if (key.Contains("[]", StringComparison.Ordinal))
        {
            return false;
        }
        ParamNode node = hash;
        foreach (var part in key.Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not ParamHash h || h[part] is not { } next)
            {
                return false;
            }
            node = next;
        }
        return true;
    }

    /// <summary>
    /// A JSON body. It must be an object (Rails would wrap anything else in "_json"; no
    /// Velvet client sends that, so it is a 400 instead). Numbers keep their literal text.
    /// </summary>
    public static ParamHash FromJson(ReadOnlySpan<byte> utf8Json, ParamLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (utf8Json.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8Json = utf8Json[Encoding.UTF8.Preamble.Length..];
        }

        // The reader's own depth guard sits above ours so our clearer message wins.
        var options = new JsonReaderOptions { MaxDepth = (int)Math.Min(int.MaxValue, limits.MaxDepth + 8L) };
        var reader = new Utf8JsonReader(utf8Json, options);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new MalformedParamsException("JSON body must be an object");
            }
            var root = new ParamHash();
            // Containers still open, innermost last; the tree is built without recursion.
            var open = new Stack<ParamNode>();
            open.Push(root);
            string? property = null;
            var count = 0;
            while (open.Count > 0 && reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueSpan.Length > limits.MaxKeyLength)
                    {
                        throw new MalformedParamsException("Parameter name too long");
                    }
                    property = reader.GetString();
                    RefuseNul(property);
                    continue;
                }
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    open.Pop();
                    continue;
                }
                if (++count > limits.MaxKeys)
                {
                    throw new MalformedParamsException("Too many parameters");
                }
                ParamNode node;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth > limits.MaxDepth)
                        {
                            throw new MalformedParamsException("Parameters nested too deeply");
                        }
                        node = reader.TokenType == JsonTokenType.StartObject ? new ParamHash() : new ParamList();
                        break;
                    case JsonTokenType.Null:
                        node = ParamNull.Instance;
                        break;
                    case JsonTokenType.True:
                        node = new ParamValue("true");
                        break;
                    case JsonTokenType.False:
                        node = new ParamValue("false");
                        break;
                    default:
                        if (reader.ValueSpan.Length > limits.MaxValueLength)
                        {
                            throw new MalformedParamsException("Parameter value too long");
                        }
                        // Numbers keep their literal text ("25000.50"), never a re-formatted double.
                        var text = reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
                        RefuseNul(text);
                        node = new ParamValue(text);
                        break;
                }
                switch (open.Peek())
                {
                    case ParamHash hash:
                        // Duplicate JSON keys: the last wins, as in Ruby's JSON.parse.
                        hash.Set(property!, node);
                        break;
                    case ParamList list:
                        list.Add(node);
                        break;
                }
                if (node is ParamHash or ParamList)
                {
                    open.Push(node);
                }
            }
            // Reading on past the root object rejects trailing garbage such as "{}{}".
            while (reader.Read())
            {
            }
            return root;
        }
        catch (JsonException)
        {
            throw new MalformedParamsException("Malformed JSON body");
        }
        catch (InvalidOperationException)
        {
            // GetString() on invalid UTF-8 inside a string.
            throw new MalformedParamsException("Malformed JSON body");
        }
    }

    /// <summary>
    /// b over a: b's leaves, lists and nulls replace a's; two hashes under one key merge recursively.
    /// Neither input is changed.
    /// </summary>
    public static ParamHash Merge(ParamHash a, ParamHash b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var merged = new ParamHash();
        foreach (var key in a.Keys)
        {
            merged.Set(key, a[key]!);
        }
        foreach (var key in b.Keys)
        {
            var over = b[key]!;
            // Recursion is bounded by MaxDepth: both trees came from the parsers above.
            merged.Set(key, merged[key] is ParamHash under && over is ParamHash overHash ? Merge(under, overHash) : over);
        }
        return merged;
    }

    /// <summary>
    /// Splits an application/x-www-form-urlencoded string lazily. Like ActionDispatch, both
    /// "&amp;" and ";" separate pairs and spaces after a separator are skipped. Decoding is
    /// lenient: a bad escape stays literal and invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> UrlEncodedPairs(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.StartsWith('?') ? 1 : 0;
        while (start < text.Length)
        {
            while (start < text.Length && text[start] == ' ')
            {
                start++;
            }
            var end = text.IndexOfAny(['&', ';'], start);
            if (end < 0)
            {
                end = text.Length;
            }
            if (end > start)
            {
                var eq = text.IndexOf('=', start, end - start);
                yield return eq < 0
                    ? new(Decode(text[start..end]), null)
                    : new(Decode(text[start..eq]), Decode(text[(eq + 1)..end]));
            }
            start = end + 1;
        }
    }

    private static string Decode(string encoded) => WebUtility.UrlDecode(encoded);
}
