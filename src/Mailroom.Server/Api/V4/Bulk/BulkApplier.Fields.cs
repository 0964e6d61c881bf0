using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4.Bulk;

public sealed partial class BulkApplier
{
    sealed record FieldItem(string? Label);
    sealed record ValueItem(long? SubscriberId, long? FieldId, string? Value);
    sealed record AdditionItem(long? FormId, long? SubscriberId, string? Referrer);

    // inferred: Kit shows no message for these; worded like its others.
    public const string LabelInvalid = "Label must contain a letter or a digit";
    public static string TooManyFields => $"You can only have {CustomFieldKeys.AccountLimit} custom fields";

    static List<FieldItem> ReadFields(JsonArray items) =>
        [.. items.Select(n => new FieldItem(ApiParams.AsString(((JsonObject)n!)["label"], "label")))];

    static List<ValueItem> ReadValues(JsonArray items) =>
        [.. items.Select(n => (JsonObject)n!).Select(o => new ValueItem(ApiParams.AsLong(o["subscriber_id"], "subscriber_id"),
            ApiParams.AsLong(o["subscriber_custom_field_id"], "subscriber_custom_field_id"), RawString(o["value"])))];

    static List<AdditionItem> ReadAdditions(JsonArray items) =>
        [.. items.Select(n => (JsonObject)n!).Select(o => new AdditionItem(ApiParams.AsLong(o["form_id"], "form_id"),
            ApiParams.AsLong(o["subscriber_id"], "subscriber_id"), ApiParams.AsString(o["referrer"], "referrer")))];

    /// <summary>A value as given (not trimmed: a field value is the subscriber's data); null clears the field.</summary>
    static string? RawString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? v.GetValue<string>() : ApiParams.AsString(node, "value");

    /// <summary>
    /// POST /v4/bulk/custom_fields: creates the fields whose key is new and returns the existing field for a label
    /// whose key is taken (Kit's "creates or updates"; the key is what makes a field the same).
    /// </summary>
    async Task<JsonObject> FieldsAsync(long accountId, List<FieldItem> items, CancellationToken ct)
    {
        var failures = new JsonArray();
        var existing = (await db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId).ToListAsync(ct)).ToDictionary(f => f.Key);
        var count = existing.Count;
        var now = time.UtcNowSeconds();
        var valid = new List<string>();
        var fresh = new List<CustomField>();
        foreach (var item in items)
        {
            var key = item.Label is null ? "" : CustomFieldKeys.KeyFor(item.Label);
            var problem = item.Label is null ? V4Error.LabelBlank : key.Length == 0 ? LabelInvalid
                : !existing.ContainsKey(key) && count >= CustomFieldKeys.AccountLimit ? TooManyFields : null;
            if (problem is not null)
            {
                failures.Add(new JsonObject { ["custom_field"] = new JsonObject { ["label"] = item.Label }, ["errors"] = Errors(problem) });
                continue;
            }
            valid.Add(key);
            if (existing.ContainsKey(key)) continue;
            var field = new CustomField { AccountId = accountId, Label = item.Label!.Trim(), Key = key, CreatedAt = now, UpdatedAt = now };
            existing[key] = field;
            fresh.Add(field);
            count++;
        }
        if (fresh.Count > 0)
        {
            // The name carries the id (ck_field_<id>_<key>), so it is written once the id is known.
            db.CustomFields.AddRange(fresh);
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
            foreach (var f in fresh) f.Name = CustomFieldKeys.NameFor(f.Id, f.Key);
            await SaveAndClearAsync(ct);
        }
        var fields = new JsonArray();
        foreach (var key in valid)
        {
            var f = existing[key];
            fields.Add(new JsonObject { ["id"] = f.Id, ["key"] = f.Key, ["label"] = f.Label, ["name"] = f.Name, ["created_at"] = Stamp(f.CreatedAt) });
        }
        return new JsonObject { ["custom_fields"] = fields, ["failures"] = failures };
    }

    /// <summary>POST /v4/bulk/custom_fields/subscribers: sets each subscriber's value of each field (the last one given wins).</summary>
    async Task<JsonObject> ValuesAsync(long accountId, List<ValueItem> items, CancellationToken ct)
    {
        var fieldIds = await IdsAsync(db.CustomFields.Where(f => f.AccountId == accountId).Select(f => f.Id),
            items.Where(i => i.FieldId is not null).Select(i => i.FieldId!.Value), ct);
        var subscriberIds = await IdsAsync(db.Subscribers.Where(s => s.AccountId == accountId).Select(s => s.Id),
            items.Where(i => i.SubscriberId is not null).Select(i => i.SubscriberId!.Value), ct);
        var failures = new JsonArray();
        var valid = new List<ValueItem>();
        foreach (var item in items)
        {
            var subscriberOk = item.SubscriberId is { } s && subscriberIds.Contains(s);
            var fieldOk = item.FieldId is { } f && fieldIds.Contains(f);
            var tooLong = item.Value is { Length: > SubscriberLimits.FieldValueMaxLength };
            if (subscriberOk && fieldOk && !tooLong) { valid.Add(item); continue; }
            var errors = new List<string>();
            if (!subscriberOk) errors.Add(V4Error.SubscriberDoesNotExist);
            if (!fieldOk) errors.Add(V4Error.CustomFieldDoesNotExist);
            if (tooLong) errors.Add(ApiError.TooLongMessage("Value", SubscriberLimits.FieldValueMaxLength));
            failures.Add(new JsonObject
            {
                ["errors"] = Errors([.. errors]),
                ["custom_field_value"] = new JsonObject
                {
                    ["subscriber_id"] = subscriberOk ? item.SubscriberId : null, ["subscriber_custom_field_id"] = item.FieldId, ["value"] = item.Value,
                },
            });
        }

        var last = new Dictionary<(long, long), string?>();
        foreach (var v in valid) last[(v.SubscriberId!.Value, v.FieldId!.Value)] = v.Value;
        foreach (var chunk in last.Chunk(SaveChunk))
        {
            var subscribers = chunk.Select(c => c.Key.Item1).Distinct().ToList();
            var fields = chunk.Select(c => c.Key.Item2).Distinct().ToList();
            var stored = (await db.SubscriberFieldValues.Where(v => subscribers.Contains(v.SubscriberId) && fields.Contains(v.CustomFieldId)).ToListAsync(ct))
                .ToDictionary(v => (v.SubscriberId, v.CustomFieldId));
            foreach (var ((subscriberId, fieldId), value) in chunk)
            {
                if (stored.TryGetValue((subscriberId, fieldId), out var row)) row.Value = value;
                else db.SubscriberFieldValues.Add(new SubscriberFieldValue { SubscriberId = subscriberId, CustomFieldId = fieldId, Value = value });
            }
            await SaveAndClearAsync(ct);
        }
        var values = new JsonArray();
        foreach (var v in valid)
            values.Add(new JsonObject { ["subscriber_id"] = v.SubscriberId, ["subscriber_custom_field_id"] = v.FieldId, ["value"] = v.Value });
        return new JsonObject { ["custom_field_values"] = values, ["failures"] = failures };
    }

    /// <summary>
    /// POST /v4/bulk/forms/subscribers: adds each subscriber to the form (form_subscribe for each new one). inferred:
    /// no confirmation email, even on a double opt-in form: a bulk addition is the creator's import, not a sign-up.
    /// </summary>
    async Task<JsonObject> AdditionsAsync(long accountId, List<AdditionItem> items, CancellationToken ct)
    {
        var formIds = await IdsAsync(db.Forms.Where(f => f.AccountId == accountId).Select(f => f.Id),
            items.Where(i => i.FormId is not null).Select(i => i.FormId!.Value), ct);
        var subscribers = await SubscriberRowsAsync(accountId, items.Where(i => i.SubscriberId is not null).Select(i => i.SubscriberId!.Value), ct);
        var failures = new JsonArray();
        var valid = new List<(AdditionItem Item, SubscriberRow Subscriber)>();
        foreach (var item in items)
        {
            var formOk = item.FormId is { } f && formIds.Contains(f);
            var subscriber = item.SubscriberId is { } s ? subscribers.GetValueOrDefault(s) : null;
            if (formOk && subscriber is not null) { valid.Add((item, subscriber)); continue; }
            var errors = new List<string>();
            if (subscriber is null) errors.Add(V4Error.SubscriberDoesNotExist);
            if (!formOk) errors.Add(V4Error.FormDoesNotExist);
            failures.Add(new JsonObject
            {
                ["errors"] = Errors([.. errors]),
                ["subscription"] = new JsonObject { ["form_id"] = formOk ? item.FormId : null, ["subscriber_id"] = subscriber?.Id, ["referrer"] = item.Referrer },
            });
        }

        var existing = await SubscriptionsAsync(SubscribableTypes.Form, valid.Select(v => (v.Subscriber.Id, v.Item.FormId!.Value)), ct);
        var now = time.UtcNowSeconds();
        var fresh = valid.Where(v => !existing.ContainsKey((v.Subscriber.Id, v.Item.FormId!.Value)))
            .GroupBy(v => (v.Subscriber.Id, v.Item.FormId!.Value)).Select(g => g.First()).ToList();
        foreach (var chunk in fresh.Chunk(SaveChunk))
        {
            foreach (var (item, subscriber) in chunk)
            {
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = accountId, SubscriberId = subscriber.Id, SubscribableType = SubscribableTypes.Form, SubscribableId = item.FormId!.Value,
                    State = SubscriptionStates.Active, Referrer = item.Referrer, CreatedAt = now, UpdatedAt = now,
                });
                db.Raise(time, accountId, OutboxEvents.FormSubscribe, subscriber.Id, Id(item.FormId!.Value));
                existing[(subscriber.Id, item.FormId!.Value)] = (0, now);
            }
            await SaveAndClearAsync(ct);
        }
        var result = new JsonArray();
        foreach (var (item, s) in valid)
        {
            var referrer = item.Referrer;
            result.Add(new JsonObject
            {
                ["id"] = s.Id, ["first_name"] = s.FirstName, ["email_address"] = s.EmailAddress, ["created_at"] = Stamp(s.CreatedAt),
                ["added_at"] = Stamp(existing[(s.Id, item.FormId!.Value)].CreatedAt), ["referrer"] = referrer, ["referrer_utm_parameters"] = Utm(referrer),
            });
        }
        return new JsonObject { ["subscribers"] = result, ["failures"] = failures };
    }

    /// <summary>The referrer's utm_* query parameters, as Kit's example lists them (empty strings when absent).</summary>
    static JsonObject Utm(string? referrer)
    {
        var query = referrer is not null && Uri.TryCreate(referrer, UriKind.Absolute, out var uri)
            ? Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query) : [];
        var utm = new JsonObject();
        foreach (var name in new[] { "source", "medium", "campaign", "term", "content" })
            utm[name] = query.TryGetValue($"utm_{name}", out var v) ? v.ToString() : "";
        return utm;
    }
}
