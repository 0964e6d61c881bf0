using Mailroom.Data;
using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>
/// Arranges subscribers, fields, tags and subscriptions straight in the database, so the subscriber and
/// custom-field tests depend on no other endpoint. Timestamps default to the fake clock's start.
/// </summary>
static class SubscribersTestData
{
    public static DateTime At(int seconds) => MailroomApp.Start.UtcDateTime.AddSeconds(seconds);

    public static Task<Subscriber> AddSubscriberAsync(this MailroomApp app, long accountId, string email,
        string state = SubscriberStates.Active, string? firstName = null, DateTime? createdAt = null,
        DateTime? updatedAt = null, DateTime? cancelledAt = null) =>
        app.DbAsync(async db =>
        {
            var created = createdAt ?? MailroomApp.Start.UtcDateTime;
            var subscriber = new Subscriber
            {
                AccountId = accountId, EmailAddress = email, NormalizedEmail = email.ToLowerInvariant(), FirstName = firstName,
                State = state, CreatedAt = created, UpdatedAt = updatedAt ?? created,
                CancelledAt = cancelledAt ?? (state == SubscriberStates.Cancelled ? created : null),
            };
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
            return subscriber;
        });

    /// <summary>Many subscribers in one save; <paramref name="createdAt"/> gets each one's index.</summary>
    public static Task<List<Subscriber>> AddSubscribersAsync(this MailroomApp app, long accountId, int count, Func<int, DateTime> createdAt) =>
        app.DbAsync(async db =>
        {
            var list = Enumerable.Range(0, count).Select(i => new Subscriber
            {
                AccountId = accountId, EmailAddress = $"s{i}@example.com", NormalizedEmail = $"s{i}@example.com",
                State = SubscriberStates.Active, CreatedAt = createdAt(i), UpdatedAt = createdAt(i),
            }).ToList();
            db.Subscribers.AddRange(list);
            await db.SaveChangesAsync();
            return list;
        });

    public static Task<CustomField> AddCustomFieldAsync(this MailroomApp app, long accountId, string label) =>
        app.DbAsync(async db =>
        {
            var key = CustomFieldKeys.KeyFor(label);
            var field = new CustomField { AccountId = accountId, Label = label, Key = key, CreatedAt = At(0), UpdatedAt = At(0) };
            db.CustomFields.Add(field);
            await db.SaveChangesAsync();
            field.Name = CustomFieldKeys.NameFor(field.Id, key);
            await db.SaveChangesAsync();
            return field;
        });

    public static async Task<List<CustomField>> AddCustomFieldsAsync(this MailroomApp app, long accountId, int count)
    {
        var fields = new List<CustomField>();
        for (var i = 0; i < count; i++) fields.Add(await app.AddCustomFieldAsync(accountId, $"Field {i}"));
        return fields;
    }

    public static Task SetFieldAsync(this MailroomApp app, long subscriberId, long fieldId, string? value) =>
        app.DbAsync(async db =>
        {
            db.SubscriberFieldValues.Add(new SubscriberFieldValue { SubscriberId = subscriberId, CustomFieldId = fieldId, Value = value });
            await db.SaveChangesAsync();
        });

    public static Task<Subscriber> ReloadAsync(this MailroomApp app, long subscriberId) =>
        app.DbAsync(db => db.Subscribers.AsNoTracking().SingleAsync(s => s.Id == subscriberId));

    /// <summary>The wire subscriber object, as the API must write it.</summary>
    public static string Json(Subscriber s, string fields = "{}") =>
        $$"""{"id":{{s.Id}},"first_name":{{(s.FirstName is null ? "null" : $"\"{s.FirstName}\"")}},"email_address":"{{s.EmailAddress}}","state":"{{s.State}}","created_at":"{{s.CreatedAt:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","fields":{{fields}}}""";

    public static string PageJson(long total, int page, int totalPages, IEnumerable<Subscriber> subscribers) =>
        $$"""{"total_subscribers":{{total}},"page":{{page}},"total_pages":{{totalPages}},"subscribers":[{{string.Join(",", subscribers.Select(s => Json(s)))}}]}""";
}
