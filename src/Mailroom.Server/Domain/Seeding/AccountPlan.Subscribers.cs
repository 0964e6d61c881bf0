namespace Mailroom.Server.Domain.Seeding;

/// <summary>A value already on its subscriber's FieldValues; its CustomFieldId is known once the field is saved.</summary>
sealed record PlannedFieldValue(SubscriberFieldValue Value, CustomField Field);

/// <param name="Progress">For a course subscription that has started: the last position passed and the next look.</param>
sealed record PlannedSubscription(Subscriber Subscriber, string Type, Func<long> TargetId, string State, SequencePlace? Progress = null);

/// <summary>Where a subscriber stands in a sequence (Subscription.SequencePosition and NextSendAt); the anchor is the seed's now.</summary>
sealed record SequencePlace(int? Position, DateTime NextSendAt);

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
        SubscribeSequences(subscriber, path, source.Sequences, gone?.Sequences, otherState);
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

    /// <summary>
    /// Sequences take a name or a placement object. An active subscriber starts at once, as SequenceProgress.Start
    /// does (the scheduler works out the first email); a placement puts them after the email at its position.
    /// </summary>
    internal const string NameOrObject = "must be a sequence name or an object with a name";

    void SubscribeSequences(Subscriber subscriber, string path, List<SeedSequenceReference?>? current, List<string?>? cancelled, string state)
    {
        var entries = (current ?? []).Select((e, i) => (Item: e ?? throw SeedException.At($"{path}.sequences[{i}]", NameOrObject), Path: $"{path}.sequences[{i}]")).ToList();
        var names = entries.Select(e => e.Item.Name is { } n ? (string?)n : throw SeedException.At(e.Item.Placed ? $"{e.Path}.name" : e.Path, "is required")).ToList();
        var starts = subscriber.State == SubscriberStates.Active && state == SubscriptionStates.Active;
        var active = SeedCheck.References(names, $"{path}.sequences", Sequences, "sequence");
        for (var i = 0; i < active.Count; i++)
        {
            var (reference, itemPath) = entries[i];
            var (sequence, name, _) = active[i];
            SequencePlace? place = null;
            if (reference.Placed && (reference.Position is not null || reference.NextSendAt is not null))
            {
                // inferred: only an active subscriber moves through a sequence; placing anyone else would be silently ignored.
                if (!starts) throw SeedException.At(itemPath, "a place in a sequence applies to active subscribers only");
                if (reference.Position is { } position && !SequenceEmails.Any(e => ReferenceEquals(e.Sequence, sequence) && e.Email.Position == position))
                    throw SeedException.At($"{itemPath}.position", $"sequence \"{name}\" has no email at position {position}");
                place = new SequencePlace(reference.Position, SeedCheck.Date(reference.NextSendAt, $"{itemPath}.next_send_at") ?? _now);
            }
            else if (starts) place = new SequencePlace(null, _now);
            Subscriptions.Add(new PlannedSubscription(subscriber, SubscribableTypes.Course, () => sequence.Id, state, place));
        }
        foreach (var target in SeedCheck.References(cancelled, $"{path}.cancelled.sequences", Sequences, "sequence"))
        {
            if (active.Any(a => ReferenceEquals(a.Target, target.Target)))
                throw SeedException.At(target.Path, $"sequence \"{target.Name}\" is also listed in sequences");
            Subscriptions.Add(new PlannedSubscription(subscriber, SubscribableTypes.Course, () => target.Target.Id, SubscriptionStates.Cancelled));
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
