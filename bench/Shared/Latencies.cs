using System.Globalization;

namespace Velvet.Bench;

/// <summary>What every bench prints of a set of latencies, in milliseconds.</summary>
internal sealed record Latencies(double Mean, double P50, double P99, double Max)
{
    public static Latencies Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0
            ? new Latencies(double.NaN, double.NaN, double.NaN, double.NaN)
            : new Latencies(sorted.Average(), Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest rank of an ascending list.</summary>
    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"mean {Mean:F2} ms, p50 {P50:F2} ms, p99 {P99:F2} ms");

    /// <summary>For latencies of a second or so: whole milliseconds, with the maximum.</summary>
    public string Coarse() =>
        string.Create(CultureInfo.InvariantCulture, $"p50 {P50:F0} ms, p99 {P99:F0} ms, max {Max:F0} ms");
}
