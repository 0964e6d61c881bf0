using System.Diagnostics.CodeAnalysis;
using Fluid;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// The app's one Liquid parser and one set of template options: what a template is saved with (validation) and what
/// it is sent with (rendering) can't drift apart. Every parse goes through <see cref="TryParse"/>, which refuses tags
/// that reach outside the template and installs the render bounds (<see cref="RenderLimits"/>).
/// </summary>
public static class Liquid
{
    // FluidParser is thread-safe once built and costly to build.
    static readonly FluidParser Parser = new();

    public static readonly TemplateOptions Options = CreateOptions();

    static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.IgnoreCasing = true;
        GuardedFilters.Install(options);
        return options;
    }

    /// <summary>
    /// Parses <paramref name="source"/> into a template whose render is bounded; false with a one-line reason a
    /// person understands when it does not parse or uses a forbidden tag.
    /// </summary>
    public static bool TryParse(string source, [NotNullWhen(true)] out IFluidTemplate? template, [NotNullWhen(false)] out string? error)
    {
        template = null;
        if (!Parser.TryParse(source, out var parsed, out var parseError))
        {
            // Fluid appends "Source:" and the whole template after the reason; the reason is enough.
            var reason = (parseError ?? "").Split('\n', 2)[0].Trim();
            error = reason.Length == 0 ? "the template could not be parsed" : reason;
            return false;
        }
        var forbidden = new ForbiddenTags();
        forbidden.VisitTemplate(parsed);
        if (forbidden.Found is { } tag)
        {
            error = RenderLimits.ForbiddenTag(tag);
            return false;
        }
        template = new GuardRewriter().VisitTemplate(parsed);
        error = null;
        return true;
    }
}
