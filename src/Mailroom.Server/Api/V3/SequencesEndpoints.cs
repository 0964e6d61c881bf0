using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V3;

static class SequencesEndpoints
{
    public static RouteGroupBuilder MapSequences(this RouteGroupBuilder v3)
    {
        // "courses" is the older name of the same resource; Kit answers both (spec §1.1), ConvertkitSharp sends it.
        foreach (var prefix in new[] { "/sequences", "/courses" })
        {
            v3.MapGet(prefix, ListSequences);
            v3.MapPost($"{prefix}/{{id:long}}/subscribe", SubscribeToSequence);
            v3.MapGet($"{prefix}/{{id:long}}/subscriptions", ListSequenceSubscriptions).RequireSecret();
        }
        return v3;
    }

    // The list key is "courses" on both paths.
    public sealed record SequencesResponse(IReadOnlyList<SequenceResponse> Courses);

    static async Task<Ok<SequencesResponse>> ListSequences(Caller caller, AppDbContext db, CancellationToken ct)
    {
        var sequences = await db.Sequences.AsNoTracking().Where(s => s.AccountId == caller.AccountId).OrderBy(s => s.Id).ToListAsync(ct);
        return TypedResults.Ok(new SequencesResponse([.. sequences.Select(SequenceResponse.From)]));
    }

    static Task<Results<Ok<SubscribeResponse>, JsonHttpResult<ApiError>>> SubscribeToSequence(long id, ApiParams p, Caller caller,
        SubscriptionService service, AppDbContext db, CancellationToken ct) =>
        Subscribing.SubscribeAsync(SubscribableTypes.Course, id, p, caller, service, db, ct);

    static async Task<Results<Ok<SubscriptionsPageResponse>, JsonHttpResult<ApiError>>> ListSequenceSubscriptions(long id, ApiParams p,
        Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Sequences.AnyAsync(s => s.AccountId == caller.AccountId && s.Id == id, ct)) return ApiError.NotFound();
        return await SubscriptionLists.ListAsync(db, p, caller.AccountId, SubscribableTypes.Course, id, ct);
    }
}
