using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Domain.Subscriptions;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.App.Subscribers;

/// <summary>
/// The subscriber page's changes, each through the domain service the API's endpoint uses (so limits, messages and
/// webhook events are the API's), in a scope of its own. The caller checks the role first.
/// </summary>
public sealed class SubscriberActions(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>
    /// <c>PUT /v4/subscribers/{id}</c>'s first name and fields: the same limits and messages, a blank first name
    /// keeps the current one (spec §4.3), field_value_updated for each value that changed. The error message, or null.
    /// </summary>
    public async Task<string?> SaveDetailsAsync(long accountId, long id, string? firstName, IReadOnlyDictionary<string, string?> fields, CancellationToken ct)
    {
        var violation = SubscriberLimits.Check(null, firstName, fields);
        if (!violation.IsNone) return ApiError.SubscriberViolationMessage(violation);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == accountId && s.Id == id, ct)
            ?? throw new SubscriberGone();
        var changes = await scope.ServiceProvider.GetRequiredService<SubscriberService>().ApplyDetailsAsync(subscriber, firstName, fields, ct);
        await CustomFieldEvents.RaiseValueUpdatedAsync(db, time, subscriber, changes, ct);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>v4's tag-a-subscriber: through the subscribe path (tag_add once), the subscriber's state left as it is.</summary>
    public async Task<string?> AddTagAsync(long accountId, long id, long tagId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var email = await Email(db, accountId, id, ct);
        var result = await scope.ServiceProvider.GetRequiredService<SubscriptionService>().SubscribeAsync(accountId, SubscribableTypes.Tag, tagId,
            new SubscribeInput(email, null, null, [], [], []) { KeepState = true }, ct);
        if (result.Error == SubscribeError.TargetNotFound) throw new SubscriberGone();
        return result.Subscription is null ? ApiError.EmailInvalidMessage : null;
    }

    /// <summary>v4's remove-tag: the tagging is deleted and tag_remove raised once.</summary>
    public async Task RemoveTagAsync(long accountId, long id, long tagId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.AccountId == accountId && s.Id == id, ct) ?? throw new SubscriberGone();
        await scope.ServiceProvider.GetRequiredService<SubscriptionService>().RemoveTagAsync(subscriber, tagId, ct);
    }

    /// <summary>v3/v4 unsubscribe: the subscriber and its active subscriptions cancelled, subscriber_unsubscribe once.</summary>
    public async Task UnsubscribeAsync(long accountId, long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var email = await Email(scope.ServiceProvider.GetRequiredService<AppDbContext>(), accountId, id, ct);
        await scope.ServiceProvider.GetRequiredService<SubscriberService>().UnsubscribeAsync(accountId, email, ct);
    }

    public async Task DeleteAsync(long accountId, long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (!await scope.ServiceProvider.GetRequiredService<SubscriberService>().DeleteAsync(accountId, id, ct)) throw new SubscriberGone();
    }

    static async Task<string> Email(AppDbContext db, long accountId, long id, CancellationToken ct) =>
        await db.Subscribers.AsNoTracking().Where(s => s.AccountId == accountId && s.Id == id).Select(s => s.EmailAddress).FirstOrDefaultAsync(ct)
        ?? throw new SubscriberGone();
}

/// <summary>The subscriber (or the tag) went away between showing the page and the action: the page answers not found.</summary>
public sealed class SubscriberGone() : Exception("No such subscriber in this account.");
