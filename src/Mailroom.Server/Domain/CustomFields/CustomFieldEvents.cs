using System.Globalization;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Domain.CustomFields;

/// <summary>A subscriber's value for one field that a write changed (or set for the first time).</summary>
public readonly record struct FieldValueChange(long FieldId, string? Value);

/// <summary>
/// The custom_field.* events (v4 notes §5.7) and their bodies, the one place that builds them. Their bodies are fixed
/// when they happen (<see cref="OutboxEvent.Payload"/>): a deleted field is gone by fan-out time, and a value-updated
/// event reports the value this write set, not whatever a later one left. Match value = the field id, so a rule's
/// <c>custom_field_id</c> selects the events of its field.
/// </summary>
public static class CustomFieldEvents
{
    public static void RaiseCreated(AppDbContext db, TimeProvider time, CustomField field) =>
        db.RaiseWithPayload(time, field.AccountId, OutboxEvents.CustomFieldCreated,
            new JsonObject { ["custom_field"] = FieldObject(field) }.ToJsonString(), Match(field.Id));

    public static void RaiseDeleted(AppDbContext db, TimeProvider time, CustomField field) =>
        db.RaiseWithPayload(time, field.AccountId, OutboxEvents.CustomFieldDeleted,
            new JsonObject { ["custom_field"] = FieldObject(field) }.ToJsonString(), Match(field.Id));

    /// <summary>
    /// One field_value_updated per changed value of an existing (saved) subscriber, raised before the caller's
    /// SaveChanges. The subscriber object shows the state this write leaves: the tracked entity's name and address,
    /// stored values overlaid with <paramref name="changes"/>.
    /// </summary>
    public static async Task RaiseValueUpdatedAsync(AppDbContext db, TimeProvider time, Subscriber subscriber,
        IReadOnlyList<FieldValueChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        var ids = changes.Select(c => c.FieldId).ToList();
        var defs = await db.CustomFields.AsNoTracking().Where(f => f.AccountId == subscriber.AccountId && ids.Contains(f.Id)).ToListAsync(ct);
        var fields = (await FieldMaps.LoadAsync(db, subscriber.AccountId, [subscriber.Id], ct)).For(subscriber.Id);
        foreach (var change in changes)
            if (defs.FirstOrDefault(d => d.Id == change.FieldId) is { } def) fields[def.Key] = change.Value;
        foreach (var change in changes)
        {
            if (defs.FirstOrDefault(d => d.Id == change.FieldId) is not { } def) continue;
            var body = new JsonObject
            {
                ["subscriber"] = SubscriberObject(subscriber, fields),
                ["custom_field"] = FieldObject(def),
                ["value"] = change.Value,
            };
            db.RaiseWithPayload(time, subscriber.AccountId, OutboxEvents.CustomFieldValueUpdated, body.ToJsonString(),
                Match(def.Id), subscriber.Id);
        }
    }

    static JsonObject FieldObject(CustomField f) =>
        new() { ["id"] = f.Id, ["name"] = f.Name, ["key"] = f.Key, ["label"] = f.Label };

    /// <summary>The v4 subscriber object (GET /v4/subscribers/{id}) without its optional expansions.</summary>
    static JsonObject SubscriberObject(Subscriber s, Dictionary<string, string?> fields) => new()
    {
        ["id"] = s.Id, ["first_name"] = s.FirstName, ["email_address"] = s.EmailAddress, ["state"] = s.State,
        ["created_at"] = V4TimestampConverter.Write(s.CreatedAt),
        ["fields"] = new JsonObject([.. fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Key, f.Value))]),
    };

    static string Match(long id) => id.ToString(CultureInfo.InvariantCulture);
}
