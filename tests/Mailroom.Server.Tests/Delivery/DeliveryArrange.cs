using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>Arranges delivery scenarios straight in the database, independent of the API under test elsewhere.</summary>
static class DeliveryArrange
{
    public static Dictionary<string, string?> SmtpSettings(SmtpSink sink) => new()
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = sink.Port.ToString(),
        ["Smtp:MaxConnections"] = "4",
        ["Delivery:RetryDelay"] = "00:00:30",
    };

    public static async Task<long> SubscriberAsync(this MailroomApp app, long accountId, string email, string? firstName = null,
        string state = SubscriberStates.Active, Dictionary<long, string>? fields = null)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return await app.DbAsync(async db =>
        {
            var s = new Subscriber
            {
                AccountId = accountId, EmailAddress = email, NormalizedEmail = email.ToLowerInvariant(), FirstName = firstName,
                State = state, CreatedAt = now, UpdatedAt = now, CancelledAt = state == SubscriberStates.Cancelled ? now : null,
            };
            foreach (var (fieldId, value) in fields ?? []) s.FieldValues.Add(new SubscriberFieldValue { CustomFieldId = fieldId, Value = value });
            db.Subscribers.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
    }

    public static async Task<long> FieldAsync(this MailroomApp app, long accountId, string label, string key)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return await app.DbAsync(async db =>
        {
            var f = new CustomField { AccountId = accountId, Label = label, Key = key, Name = $"ck_field_0_{key}", CreatedAt = now, UpdatedAt = now };
            db.CustomFields.Add(f);
            await db.SaveChangesAsync();
            return f.Id;
        });
    }

    public static async Task<long> DueBroadcastAsync(this MailroomApp app, long accountId, string subject, string content,
        string? layout = null, DateTime? sendAt = null)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return await app.DbAsync(async db =>
        {
            var b = new Broadcast
            {
                AccountId = accountId, Subject = subject, Content = content, EmailLayoutTemplate = layout ?? "Text Only",
                Status = BroadcastStatuses.Scheduled, SendAt = sendAt ?? now, CreatedAt = now, UpdatedAt = now,
            };
            db.Broadcasts.Add(b);
            await db.SaveChangesAsync();
            return b.Id;
        });
    }
}
