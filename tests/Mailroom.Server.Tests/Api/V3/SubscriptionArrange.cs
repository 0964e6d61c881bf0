using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>Arranges forms, sequences, tags, fields and subscribers straight in the database (v3 cannot create most of them).</summary>
static class SubscriptionArrange
{
    public static readonly DateTime Now = MailroomApp.Start.UtcDateTime;

    public static Task<Form> AddFormAsync(this MailroomApp app, long accountId, string name = "Newsletter", bool doubleOptIn = false,
        string type = FormTypes.Embed, string? uid = null, bool archived = false) =>
        app.AddAsync(new Form
        {
            AccountId = accountId, Name = name, Type = type, Format = type == FormTypes.Embed ? "inline" : null,
            // Uids are unique across accounts; a fixed default keeps exact-JSON tests readable, a second form needs its own.
            Uid = uid ?? (name == "Newsletter" ? "0123456789" : Guid.NewGuid().ToString("N")[..10]),
            Archived = archived, DoubleOptIn = doubleOptIn, Title = type == FormTypes.Embed ? "Join us" : null,
            Description = null, SignUpButtonText = "Subscribe", SuccessMessage = type == FormTypes.Embed ? "Thanks!" : null,
            CreatedAt = Now,
        });

    public static Task<Sequence> AddSequenceAsync(this MailroomApp app, long accountId, string name = "Welcome course", bool hold = false, bool repeat = false) =>
        app.AddAsync(new Sequence { AccountId = accountId, Name = name, Hold = hold, Repeat = repeat, CreatedAt = Now });

    public static Task<Tag> AddTagAsync(this MailroomApp app, long accountId, string name = "Customer", DateTime? createdAt = null) =>
        app.AddAsync(new Tag { AccountId = accountId, Name = name, NormalizedName = name.ToLowerInvariant(), CreatedAt = createdAt ?? Now, UpdatedAt = createdAt ?? Now });

    public static Task<CustomField> AddFieldAsync(this MailroomApp app, long accountId, string key) =>
        app.AddAsync(new CustomField { AccountId = accountId, Label = key, Key = key, Name = $"ck_field_{key}", CreatedAt = Now, UpdatedAt = Now });

    public static Task<Subscription> AddSubscriptionAsync(this MailroomApp app, Subscriber subscriber, string type, long targetId,
        string state = SubscriptionStates.Active, DateTime? createdAt = null) =>
        app.AddAsync(new Subscription
        {
            AccountId = subscriber.AccountId, SubscriberId = subscriber.Id, SubscribableType = type, SubscribableId = targetId,
            State = state, CreatedAt = createdAt ?? Now, UpdatedAt = createdAt ?? Now,
        });

    static Task<T> AddAsync<T>(this MailroomApp app, T entity) where T : class =>
        app.DbAsync(async db =>
        {
            db.Add(entity);
            await db.SaveChangesAsync();
            return entity;
        });

    /// <summary>The outbox as (event, subscriber id, match value) in insertion order.</summary>
    public static Task<List<(string Event, long? SubscriberId, string? Match)>> OutboxAsync(this MailroomApp app) =>
        app.DbAsync(async db => (await db.OutboxEvents.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new { e.EventName, e.SubscriberId, e.MatchValue }).ToListAsync())
            .Select(e => (e.EventName, e.SubscriberId, e.MatchValue)).ToList());

    public static Task<List<Subscription>> SubscriptionsAsync(this MailroomApp app) =>
        app.DbAsync(db => db.Subscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync());

    public static Task<List<Subscriber>> SubscribersAsync(this MailroomApp app) =>
        app.DbAsync(db => db.Subscribers.AsNoTracking().OrderBy(s => s.Id).ToListAsync());
}
