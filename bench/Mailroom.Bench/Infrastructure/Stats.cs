namespace Mailroom.Bench.Infrastructure;

public static class Stats
{
    /// <summary>Nearest-rank percentile of <paramref name="values"/> (p in 0..100).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    public static string Ms(double ms) => ms switch
    {
        double.NaN => "—",
        < 1 => $"{ms:0.00} ms",
        < 10 => $"{ms:0.0} ms",
        _ => $"{ms:0} ms",
    };

    public static string Rate(double perSecond, string unit) => perSecond switch
    {
        >= 10_000 => $"{perSecond:#,0} {unit}",
        >= 100 => $"{perSecond:#,0} {unit}",
        _ => $"{perSecond:0.0} {unit}",
    };

    public static string Percent(double ratio) => ratio < 0.1 ? $"{ratio * 100:0.0}%" : $"{ratio * 100:0}%";
}
