using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Domain.Snippets;

namespace Mailroom.Server.Domain.Broadcasts;

/// <summary>
/// Subjects, contents and layouts are Liquid templates rendered per subscriber at send time. They are
/// checked when saved so a broken or hostile template is refused to its author instead of failing mid-broadcast.
/// </summary>
public static class LiquidTemplates
{
    // Only for trial renders at save time; the limits are the ones sending uses.
    static readonly TemplateRenderer Trial = new();

    /// <summary>
    /// Null when <paramref name="source"/> may be saved; otherwise why not, on one line: it does not parse, it uses a
    /// tag that reaches outside the template (include, render), or a trial render broke a limit.
    /// </summary>
    public static string? Problem(string? source)
    {
        // {{ snippet.key }} is expanded before sending (SnippetReferences); the snippet's own body is checked when it is saved.
        source = SnippetReferences.Strip(source);
        if (string.IsNullOrEmpty(source)) return null;
        if (!Liquid.TryParse(source, out _, out var error)) return error;
        return Trial.TrialProblem(source);
    }
}
