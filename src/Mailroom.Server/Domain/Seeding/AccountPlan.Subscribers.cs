namespace Mailroom.Server.Domain.Seeding;

/// <summary>A value already on its subscriber's FieldValues; its CustomFieldId is known once the field is saved.</summary>
sealed record PlannedFieldValue(SubscriberFieldValue Value, CustomField Field);

sealed record PlannedSubscription(Subscriber Subscriber, string Type, Func<long> TargetId, string State);

sealed partial class AccountPlan
{
    public List<PlannedFieldValue> FieldValues { get; } = [];

    static readonly string[] States =
    [
        SubscriberStates.Active, SubscriberStates.Inactive, SubscriberStates.Cancelled,
        SubscriberStates.Bounced, SubscriberStates.Complained,
    ];

    void AddSubscribers(List<SeedSubscriber?>? subscribers)
    {
        var fieldsByKey = CustomFields.Values.ToDictionary(f => f.Key, StringComparer.Ordinal);
        foreach (var (source, path) in SeedCheck.Entries(subscribers, $"{Path}.subscribers"))
        {
            var email = SeedCheck.Email(source.EmailAddress, $"{path}.email_address");
            if (FindSubscriber(email) is not null) throw SeedException.At($"{path}.email_address", $"subscriber \"{email}\" is listed twice");
            var state = SeedCheck.OneOf(source.State, $"{path}.state", SubscriberStates.Active, States);
            var createdAt = SeedCheck.Date(source.CreatedAt, $"{path}.created_at") ?? _now;
            var cancelledAt = SeedCheck.Date(source.CancelledAt, $"{path}.cancelled_at");
            if (cancelledAt is not null && state != SubscriberStates.Cancelled)
                throw SeedException.At($"{path}.cancelled_at", "applies to cancelled subscribers only");
            if (state == SubscriberStates.Cancelled) cancelledAt ??= createdAt;
            var subscriber = NewSubscriber(email, SeedCheck.FirstName(source.FirstName, $"{path}.first_name"), state, createdAt);
            subscriber.CancelledAt = cancelledAt;
            subscriber.UpdatedAt = cancelledAt ?? createdAt;

            foreach (var (key, value) in source.Fields ?? [])
            {
                if (!fieldsByKey.TryGetValue(key, out var field))
                    throw SeedException.At($"{path}.fields.{key}", $"unknown custom field key \"{key}\" (keys: {string.Join(", ", fieldsByKey.Keys)})");
                // null means "no value", which is what a missing row already says.
                if (value is null) continue;
                var row = new SubscriberFieldValue { Value = SeedCheck.FieldValue(key, value, $"{path}.fields.{key}") };
                subscriber.FieldValues.Add(row);
                FieldValues.Add(new PlannedFieldValue(row, field));
            }
            AddSubscriptions(subscriber, source, path);
        }
    }

    void AddSubscriptions(Subscriber subscriber, SeedSubscriber source, string path)
    {
        // A cancelled subscriber's subscriptions are all cancelled: PUT /v3/unsubscribe flips them (spec §4.2),
        // so an export of one lists them as they were before. A pending (inactive) subscriber's forms are pending.
        var cancelled = subscriber.State == SubscriberStates.Cancelled;
        var formState = cancelled ? SubscriptionStates.Cancelled
            : subscriber.State == SubscriberStates.Inactive ? SubscriptionStates.Inactive : SubscriptionStates.Active;
        var otherState = cancelled ? SubscriptionStates.Cancelled : SubscriptionStates.Active;
        var gone = source.Cancelled;
        Subscribe(subscriber, SubscribableTypes.Form, path, "forms", source.Forms, gone?.Forms, Forms, "form", f => f.Id, formState);
        Subscribe(subscriber, SubscribableTypes.Course, path, "sequences", source.Sequences, gone?.Sequences, Sequences, "sequence", s => s.Id, otherState);
        Subscribe(subscriber, SubscribableTypes.Tag, path, "tags", source.Tags, gone?.Tags, Tags, "tag", t => t.Id, otherState);
    }

    void Subscribe<T>(Subscriber subscriber, string type, string path, string list, List<string?>? current, List<string?>? cancelled,
        Dictionary<string, T> known, string what, Func<T, long> id, string state) where T : class
    {
        var active = SeedCheck.References(current, $"{path}.{list}", known, what);
        foreach (var target in active)
            Subscriptions.Add(new PlannedSubscription(subscriber, type, () => id(target.Target), state));
        foreach (var target in SeedCheck.References(cancelled, $"{path}.cancelled.{list}", known, what))
        {
            // One subscription per subscriber and target: it is either current or cancelled.
            if (active.Any(a => ReferenceEquals(a.Target, target.Target)))
                throw SeedException.At(target.Path, $"{what} \"{target.Name}\" is also listed in {list}");
            Subscriptions.Add(new PlannedSubscription(subscriber, type, () => id(target.Target), SubscriptionStates.Cancelled));
        }
    }

    Subscriber? FindSubscriber(string email) =>
        _subscribersByNormalizedEmail.GetValueOrDefault(EmailAddress.Normalize(email));

    Subscriber NewSubscriber(string email, string? firstName, string state, DateTime createdAt)
    {
        var subscriber = new Subscriber
        {
            EmailAddress = email, NormalizedEmail = EmailAddress.Normalize(email), FirstName = firstName,
            State = state, CreatedAt = createdAt, UpdatedAt = createdAt,
        };
        _subscribersByNormalizedEmail[subscriber.NormalizedEmail] = subscriber;
        Subscribers[email] = subscriber;
        return subscriber;
    }
}
