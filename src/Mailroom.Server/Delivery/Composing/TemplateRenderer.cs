using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// Liquid (Fluid) rendering for subjects, content and layouts, every render within <see cref="RenderLimits"/>.
/// Parsed templates are cached by source, so a 100,000-recipient broadcast parses its content once.
/// </summary>
public sealed class TemplateRenderer(RenderLimits? limits = null)
{
    public const string TextOnlyLayout = "Text Only";
    const string TextOnlyHtml = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>{{ content }}</body></html>";

    // Fluid throws a plain InvalidOperationException when a render reaches MaxSteps, so it is told apart by its text.
    // Fluid 2.41.1 throws its recursion message there (seen in tests), later versions the statements one; recursion
    // itself only comes from include/render, which are refused, so both mean the steps ran out.
    static readonly string[] FluidStepsMessages =
        ["The maximum number of statements has been reached", "The maximum level of recursion has been reached"];

    readonly RenderLimits _limits = limits ?? RenderLimits.Default;
    readonly ConcurrentDictionary<string, IFluidTemplate> _cache = new();

    // A template that doesn't parse or reaches outside itself was refused when saved; one that got into the database
    // some other way fails the broadcast with the reason, as a limit does, since no recipient could be sent it.
    IFluidTemplate Template(string source) => _cache.GetOrAdd(source, s =>
        Liquid.TryParse(s, out var t, out var error) ? t : throw new TemplateLimitException(error));

    /// <summary>Renders with subscriber variables; HTML output encodes values so a first name can't inject markup.</summary>
    public string Render(string? source, SubscriberView subscriber, IReadOnlyDictionary<string, string>? extra, bool html) =>
        Render(source, Model(subscriber), extra, html);

    /// <summary>The <c>subscriber</c> variable, built once per message and shared by its subject, content and layout.</summary>
    public object Model(SubscriberView subscriber) => FluidValue.Create(SubscriberModel(subscriber), Liquid.Options);

    /// <summary>
    /// <paramref name="extra"/> values are ours (URLs we built) and go out as they are; <paramref name="text"/> values
    /// are someone's text (a form title) and are HTML-encoded in HTML output, as subscriber values are.
    /// </summary>
    public string Render(string? source, object model, IReadOnlyDictionary<string, string>? extra, bool html,
        IReadOnlyDictionary<string, string>? text = null)
    {
        if (string.IsNullOrEmpty(source)) return "";
        var context = Context(model, extra);
        if (text is not null)
            foreach (var (k, v) in text) context.SetValue(k, new StringValue(v));
        return Run(Template(source), context, html ? HtmlEncoder.Default : NullEncoder.Default);
    }

    /// <summary>Wraps rendered content in a layout; <c>{{ content }}</c> is inserted as-is (it is already HTML).</summary>
    public string ApplyLayout(string? layoutHtml, string contentHtml, object model, IReadOnlyDictionary<string, string> extra)
    {
        var context = Context(model, extra);
        context.SetValue("content", new StringValue(contentHtml, encode: false));
        return Run(Template(layoutHtml ?? TextOnlyHtml), context, HtmlEncoder.Default);
    }

    /// <summary>
    /// Renders <paramref name="source"/> for a sample subscriber with no name or fields, so a template that breaks a
    /// limit whatever the recipient (a huge range, a runaway loop) is refused when saved; null when it renders.
    /// </summary>
    public string? TrialProblem(string source)
    {
        var sample = new SubscriberView(0, null, "subscriber@example.com", "active", DateTime.UnixEpoch, new Dictionary<string, string?>());
        try
        {
            Render(source, Model(sample), new Dictionary<string, string> { ["unsubscribe_url"] = "", ["confirmation_url"] = "" }, html: true,
                new Dictionary<string, string> { ["form_name"] = "" });
            return null;
        }
        catch (TemplateLimitException e)
        {
            return e.Message;
        }
        catch (Exception)
        {
            // inferred: any other failure (a filter refusing its argument for this sample) may depend on the recipient;
            // Kit saves such a template, so it is saved as before and only a limit refuses it.
            return null;
        }
    }

    static TemplateContext Context(object model, IReadOnlyDictionary<string, string>? extra)
    {
        var context = new TemplateContext(Liquid.Options);
        context.SetValue("subscriber", model);
        if (extra is not null)
            foreach (var (k, v) in extra) context.SetValue(k, new StringValue(v, encode: false));
        return context;
    }

    string Run(IFluidTemplate template, TemplateContext context, TextEncoder encoder)
    {
        var budget = new RenderBudget(_limits);
        budget.AttachTo(context);
        using var writer = new LimitedWriter(budget);
        try
        {
            // Completes synchronously unless a value is asynchronous (none of ours are); waited for in that case.
            var rendering = template.RenderAsync(writer, context, encoder, isolateContext: true);
            if (!rendering.IsCompletedSuccessfully) rendering.AsTask().GetAwaiter().GetResult();
        }
        catch (InvalidOperationException e) when (FluidStepsMessages.Any(m => e.Message.StartsWith(m, StringComparison.Ordinal)))
        {
            throw new TemplateLimitException(_limits.StepsExceeded(), e);
        }
        return writer.ToString();
    }

    static Dictionary<string, object?> SubscriberModel(SubscriberView s)
    {
        var model = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in s.Fields) model[key] = value;
        model["id"] = s.Id;
        model["first_name"] = s.FirstName;
        model["email_address"] = s.EmailAddress;
        model["state"] = s.State;
        return model;
    }
}
