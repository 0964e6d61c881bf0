using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// Liquid (Fluid) rendering for subjects, content and layouts. Parsed templates are cached by source,
/// so a 100,000-recipient broadcast parses its content once.
/// </summary>
public sealed class TemplateRenderer
{
    public const string TextOnlyLayout = "Text Only";
    const string TextOnlyHtml = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>{{ content }}</body></html>";

    static readonly FluidParser Parser = new();
    static readonly TemplateOptions Options = CreateOptions();
    readonly ConcurrentDictionary<string, IFluidTemplate> _cache = new();

    static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.IgnoreCasing = true;
        return options;
    }

    public static bool TryParse(string source, out string? error)
    {
        var ok = Parser.TryParse(source, out _, out error);
        return ok;
    }

    IFluidTemplate Template(string source) => _cache.GetOrAdd(source, s =>
        Parser.TryParse(s, out var t, out var error) ? t : throw new InvalidOperationException($"Template does not parse: {error}"));

    /// <summary>Renders with subscriber variables; HTML output encodes values so a first name can't inject markup.</summary>
    public string Render(string? source, SubscriberView subscriber, IReadOnlyDictionary<string, string>? extra, bool html) =>
        Render(source, Model(subscriber), extra, html);

    /// <summary>The <c>subscriber</c> variable, built once per message and shared by its subject, content and layout.</summary>
    public object Model(SubscriberView subscriber) => FluidValue.Create(SubscriberModel(subscriber), Options);

    public string Render(string? source, object model, IReadOnlyDictionary<string, string>? extra, bool html)
    {
        if (string.IsNullOrEmpty(source)) return "";
        var context = new TemplateContext(Options);
        context.SetValue("subscriber", model);
        if (extra is not null)
            foreach (var (k, v) in extra) context.SetValue(k, new StringValue(v, encode: false));
        return Template(source).Render(context, html ? HtmlEncoder.Default : NullEncoder.Default);
    }

    /// <summary>Wraps rendered content in a layout; <c>{{ content }}</c> is inserted as-is (it is already HTML).</summary>
    public string ApplyLayout(string? layoutHtml, string contentHtml, object model, IReadOnlyDictionary<string, string> extra)
    {
        var context = new TemplateContext(Options);
        context.SetValue("subscriber", model);
        foreach (var (k, v) in extra) context.SetValue(k, new StringValue(v, encode: false));
        context.SetValue("content", new StringValue(contentHtml, encode: false));
        return Template(layoutHtml ?? TextOnlyHtml).Render(context, HtmlEncoder.Default);
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
