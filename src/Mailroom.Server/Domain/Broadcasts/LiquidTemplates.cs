using Fluid;

namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>
/// Subjects, contents and layouts are Liquid templates rendered per subscriber at send time. They are
/// parsed when saved so a broken template is refused to its author instead of failing mid-broadcast.
/// </summary>
public static class LiquidTemplates
{
    // FluidParser is thread-safe once built and costly to build.
    public static readonly FluidParser Parser = new();

    /// <summary>Null when <paramref name="source"/> parses; otherwise the parser's reason, on one line.</summary>
    public static string? ParseError(string? source)
    {
        if (string.IsNullOrEmpty(source)) return null;
        if (Parser.TryParse(source, out _, out var error)) return null;
        // Fluid appends "Source:" and the whole template after the reason; the reason is enough.
        var reason = (error ?? "").Split('\n', 2)[0].Trim();
        return reason.Length == 0 ? "the template could not be parsed" : reason;
    }
}
