using System.Globalization;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// The bounds every Liquid render runs within, so an author's template (a subject, a content, a layout) cannot take
/// the process down or hold a core while other accounts' broadcasts wait. One instance serves the whole app
/// (<see cref="Default"/>); tests pass smaller ones. A render that breaks one throws
/// <see cref="TemplateLimitException"/> with one of the messages below.
/// </summary>
public sealed record RenderLimits
{
    public static readonly RenderLimits Default = new();

    /// <summary>
    /// Fluid counts a step per statement and per loop iteration. A newsletter loops over a handful of items; 100,000
    /// is orders of magnitude more than any real one needs and a millisecond or two of CPU, while two nested
    /// 100,000-item loops (10 billion steps) stop here at once.
    /// </summary>
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>
    /// Items in one list: a range <c>(a..b)</c>, a <c>split</c>, a <c>concat</c>. A range is built whole in memory
    /// (about 30 bytes an item), so <c>(1..1000000000)</c> asked for 30 GB; 100,000 items is ~3 MB.
    /// </summary>
    public int MaxItems { get; init; } = 100_000;

    /// <summary>
    /// Characters in one value (an assigned or captured string, a filter's result) and in a render's output. Gmail
    /// clips a message at 102 KB; a megabyte is ten times that, yet a doubling <c>append</c> loop stops after ~20
    /// rounds instead of growing to gigabytes.
    /// </summary>
    public int MaxChars { get; init; } = 1_000_000;

    /// <summary>
    /// Wall-clock time for one render (one subject, content or layout for one recipient). A real one takes
    /// microseconds; the steps and sizes above already bound the work, this is the backstop for what they don't
    /// count (a megabyte-sized filter in every one of the allowed steps).
    /// </summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromSeconds(1);

    public string StepsExceeded() =>
        $"the template ran more than {MaxSteps.ToString("N0", CultureInfo.InvariantCulture)} steps (a loop too long or loops nested too deep)";

    public string ItemsExceeded(long count) =>
        $"the template built a list of {count.ToString("N0", CultureInfo.InvariantCulture)} items; at most {MaxItems.ToString("N0", CultureInfo.InvariantCulture)} are allowed";

    public string CharsExceeded() =>
        $"a value in the template grew past {MaxChars.ToString("N0", CultureInfo.InvariantCulture)} characters";

    public string OutputExceeded() =>
        $"the template's output grew past {MaxChars.ToString("N0", CultureInfo.InvariantCulture)} characters";

    public string TimeExceeded() =>
        $"the template took longer than {MaxTime.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)} ms to render";

    /// <summary>Tags that read other templates from outside the one being saved: a broadcast has nothing to include.</summary>
    public static string ForbiddenTag(string tag) =>
        $"the {{% {tag} %}} tag is not allowed: a template must be self-contained, it cannot load other templates or files";
}
