using Mailroom.Server.Api.V3;
using System.Globalization;
using System.Text.RegularExpressions;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// The subscribers of one form or sequence on the v4 wire: the filtered cursor list and the two "add subscriber"
/// calls (by email address, by id). Adding goes through <see cref="SubscriptionService"/>, so double opt-in, sequence
/// progress and the form_subscribe / course_subscribe events behave exactly as through v3.
/// </summary>
static partial class V4Memberships
{
    static readonly string[] Statuses =
        [SubscriberStates.Active, SubscriberStates.Inactive, SubscriberStates.Bounced, SubscriberStates.Complained, SubscriberStates.Cancelled, "all"];

    // inferred: Kit shows no message for these; worded like its growth_stats date messages and its ?status= 422.
    public static readonly string StatusInvalid = $"status must be one of: {string.Join(", ", Statuses)}";
    public static string DateInvalid(string name) => $"{name} is incorrectly formatted. Use YYYY-MM-DD.";

    /// <summary>One member row: the subscription (added_at, referrer) and its subscriber.</summary>
    public sealed record Member(Subscription Subscription, SubscriberView Subscriber);

    /// <summary>
    /// A page of the target's subscribers, newest member first, keyed (and cursored) by subscriber id as Kit's
    /// examples are (<c>WzkxN10=</c> = [917], the first subscriber's id). <c>status</c> is the subscriber's state
    /// (default active); added_* filter on when they joined the target, created_* on when the subscriber was made.
    /// </summary>
    public static async Task<(List<Member> Items, V4Pagination Pagination)> ListAsync(AppDbContext db, ApiParams p, V4Page page,
        long accountId, string type, long targetId, CancellationToken ct)
    {
        var status = p.String("status")?.ToLowerInvariant() ?? SubscriberStates.Active;
        if (!Statuses.Contains(status)) throw new ApiParamException(422, StatusInvalid);
        var addedAfter = ReadDate(p, "added_after");
        var addedBefore = ReadDate(p, "added_before");
        var createdAfter = ReadDate(p, "created_after");
        var createdBefore = ReadDate(p, "created_before");

        var query = db.Subscriptions.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.SubscribableType == type && s.SubscribableId == targetId);
        if (status != "all") query = query.Where(s => s.Subscriber!.State == status);
        if (addedAfter is { } aa) query = query.Where(s => s.CreatedAt >= aa);
        if (addedBefore is { } ab) query = query.Where(s => s.CreatedAt < ab);
        if (createdAfter is { } ca) query = query.Where(s => s.Subscriber!.CreatedAt >= ca);
        if (createdBefore is { } cb) query = query.Where(s => s.Subscriber!.CreatedAt < cb);

        var slice = await page.ReadAsync(query, s => s.SubscriberId, ct);
        var views = await SubscriberViews.LoadAsync(db, accountId, [.. slice.Items.Select(s => s.SubscriberId)], ct);
        return ([.. slice.Items.Where(s => views.ContainsKey(s.SubscriberId)).Select(s => new Member(s, views[s.SubscriberId]))], slice.Pagination);
    }

    public enum AddError { None, NotFound }

    /// <summary>
    /// Adds an existing subscriber (by id, or by email address when <paramref name="subscriberId"/> is null) to the
    /// target. Created is false when they were already on it (Kit's 200). NotFound for an unknown subscriber: v4 adds
    /// only subscribers that exist (POST /v4/subscribers makes them), as Kit's clients create first, then add.
    /// </summary>
    public static async Task<(AddError Error, Member? Member, bool Created)> AddAsync(AppDbContext db, SubscriptionService service,
        long accountId, string type, long targetId, long? subscriberId, string? email, string? referrer, CancellationToken ct)
    {
        var subscribers = db.Subscribers.AsNoTracking().Where(s => s.AccountId == accountId);
        if (subscriberId is { } sid) subscribers = subscribers.Where(s => s.Id == sid);
        else if (email is not null)
        {
            var normalized = EmailAddress.Normalize(email);
            subscribers = subscribers.Where(s => s.NormalizedEmail == normalized);
        }
        else return (AddError.NotFound, null, false);
        var subscriber = await subscribers.Select(s => new { s.Id, s.EmailAddress }).FirstOrDefaultAsync(ct);
        if (subscriber is null) return (AddError.NotFound, null, false);

        // A cancelled subscription is a former membership: adding again makes it a member anew (201), as v3 does.
        var already = await db.Subscriptions.AnyAsync(s => s.SubscriberId == subscriber.Id && s.SubscribableType == type
            && s.SubscribableId == targetId && s.State != SubscriptionStates.Cancelled, ct);
        var result = await service.SubscribeAsync(accountId, type, targetId,
            new SubscribeInput(subscriber.EmailAddress, null, null, [], [], []), ct);
        if (result.Error != SubscribeError.None) return (AddError.NotFound, null, false);
        var subscription = result.Subscription!;
        // inferred: the referrer is where the subscriber joined, so it is recorded when they join, never overwritten.
        if (!already && referrer is not null)
        {
            await db.Subscriptions.Where(s => s.Id == subscription.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Referrer, referrer), ct);
            subscription.Referrer = referrer;
        }
        var view = await SubscriberViews.LoadOneAsync(db, accountId, subscriber.Id, ct);
        return (AddError.None, new Member(subscription, view!), !already);
    }

    static DateTime? ReadDate(ApiParams p, string name)
    {
        var text = p.String(name);
        if (text is null) return null;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day))
            return day;
        // Kit documents yyyy-mm-dd but its examples send ISO-8601 timestamps (2023-02-14T11:43:55Z); both are read.
        if (IsoTimestamp().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp))
            return stamp.UtcDateTime;
        throw new ApiParamException(422, DateInvalid(name));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoTimestamp();
}
