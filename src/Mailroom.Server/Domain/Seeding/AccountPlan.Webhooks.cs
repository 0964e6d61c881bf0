using System.Globalization;

namespace Mailroom.Server.Domain.Seeding;

sealed record PlannedWebhook(WebhookRule Rule, Func<string?> ParameterValue);

sealed partial class AccountPlan
{
    enum Parameter { None, Form, Course, Tag, Product, Link }

    // Spec §4.5: the event names POST /v3/automations/hooks takes, and the one parameter each needs.
    static readonly Dictionary<string, Parameter> Events = new(StringComparer.Ordinal)
    {
        ["subscriber.subscriber_activate"] = Parameter.None,
        ["subscriber.subscriber_unsubscribe"] = Parameter.None,
        ["subscriber.subscriber_bounce"] = Parameter.None,
        ["subscriber.subscriber_complain"] = Parameter.None,
        ["subscriber.form_subscribe"] = Parameter.Form,
        ["subscriber.course_subscribe"] = Parameter.Course,
        ["subscriber.course_complete"] = Parameter.Course,
        ["subscriber.link_click"] = Parameter.Link,
        ["subscriber.product_purchase"] = Parameter.Product,
        ["subscriber.tag_add"] = Parameter.Tag,
        ["subscriber.tag_remove"] = Parameter.Tag,
        ["purchase.purchase_create"] = Parameter.None,
    };

    void AddWebhooks(List<SeedWebhook?>? webhooks)
    {
        foreach (var (source, path) in SeedCheck.Entries(webhooks, $"{Path}.webhooks"))
        {
            var url = SeedCheck.Required(source.TargetUrl, $"{path}.target_url", int.MaxValue);
            if (!SeedCheck.IsHttpUrl(url)) throw SeedException.At($"{path}.target_url", $"\"{url}\" is not an absolute http or https URL");
            var e = source.Event ?? throw SeedException.At($"{path}.event", "is required");
            var eventPath = $"{path}.event";
            var name = SeedCheck.Required(e.Name, $"{eventPath}.name");
            if (!Events.TryGetValue(name, out var parameter))
                throw SeedException.At($"{eventPath}.name", $"unknown event \"{name}\" (one of {string.Join(", ", Events.Keys)})");
            RejectUnused(e, eventPath, name, parameter);

            var (parameterName, value) = parameter switch
            {
                Parameter.Form => ("form_id", Reference(e.FormId, $"{eventPath}.form_id", name, Forms, "form", f => f.Id)),
                Parameter.Tag => ("tag_id", Reference(e.TagId, $"{eventPath}.tag_id", name, Tags, "tag", t => t.Id)),
                // Kit's docs call it course_id and its own example sends sequence_id; the rule keeps the caller's word.
                Parameter.Course when e.SequenceId is not null =>
                    ("sequence_id", Reference(e.SequenceId, $"{eventPath}.sequence_id", name, Sequences, "sequence", s => s.Id)),
                Parameter.Course => ("course_id", Reference(e.CourseId, $"{eventPath}.course_id", name, Sequences, "sequence", s => s.Id)),
                Parameter.Product => ("product_id", Constant(e.ProductId?.ToString(CultureInfo.InvariantCulture), $"{eventPath}.product_id", name)),
                Parameter.Link => ("initiator_value",
                    Constant(SeedCheck.Optional(e.InitiatorValue, $"{eventPath}.initiator_value", int.MaxValue), $"{eventPath}.initiator_value", name)),
                _ => ((string?)null, () => null),
            };
            var rule = new WebhookRule
            {
                // Stored without the "subscriber."/"purchase." prefix, as Kit returns it.
                EventName = name[(name.IndexOf('.') + 1)..], ParameterName = parameterName, TargetUrl = url,
                Status = "enabled", CreatedAt = _now,
            };
            Webhooks.Add(new PlannedWebhook(rule, value));
        }
    }

    static void RejectUnused(SeedWebhookEvent e, string path, string name, Parameter parameter)
    {
        var given = new (string Property, bool Present, bool Allowed)[]
        {
            ("form_id", e.FormId is not null, parameter == Parameter.Form),
            ("course_id", e.CourseId is not null, parameter == Parameter.Course),
            ("sequence_id", e.SequenceId is not null, parameter == Parameter.Course),
            ("tag_id", e.TagId is not null, parameter == Parameter.Tag),
            ("product_id", e.ProductId is not null, parameter == Parameter.Product),
            ("initiator_value", e.InitiatorValue is not null, parameter == Parameter.Link),
        };
        foreach (var (property, present, allowed) in given)
            if (present && !allowed) throw SeedException.At($"{path}.{property}", $"does not apply to {name}");
        if (e.CourseId is not null && e.SequenceId is not null)
            throw SeedException.At($"{path}.sequence_id", "give course_id or sequence_id, not both");
    }

    static Func<string?> Reference<T>(string? value, string path, string eventName, Dictionary<string, T> known, string what,
        Func<T, long> id) where T : class
    {
        if (string.IsNullOrWhiteSpace(value)) throw SeedException.At(path, $"is required for {eventName} (the {what}'s name)");
        var target = known.GetValueOrDefault(value.Trim()) ?? throw SeedException.At(path, $"unknown {what} \"{value.Trim()}\"");
        return () => id(target).ToString(CultureInfo.InvariantCulture);
    }

    static Func<string?> Constant(string? value, string path, string eventName) =>
        value is null ? throw SeedException.At(path, $"is required for {eventName}") : () => value;
}
