namespace Velvet.Api.Wire;

/// <summary>Bounds on hostile input; each breach is a 400, never an unbounded allocation.</summary>
internal sealed class ParamLimits
{
    public static ParamLimits Default { get; } = new();

    /// <summary>Nesting below a top-level key: "a[b]" is depth 1; {"a":{"b":1}} is depth 1.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Pairs in a query string or body, or properties plus array items in a JSON body.</summary>
    public int MaxKeys { get; init; } = 10_000;

    public int MaxKeyLength { get; init; } = 1024;

    public long MaxValueLength { get; init; } = 10 * 1024 * 1024;

    /// <summary>
    /// The whole request body, which is buffered in memory to keep pair order (see RequestParams). Kestrel's limit too
    /// (ServiceSetup), so a larger upload is refused before it is read.
    /// </summary>
    public long MaxBodyLength { get; init; } = 10 * 1024 * 1024;
}
