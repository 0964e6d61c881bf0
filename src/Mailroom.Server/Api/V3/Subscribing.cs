using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V3;

/// <summary>The subscribe call shared by forms, sequences and tags (spec §3.1): parameters in, subscription out.</summary>
static class Subscribing
{
    public static async Task<Results<Ok<SubscribeResponse>, JsonHttpResult<ApiError>>> SubscribeAsync(
        string type, long id, ApiParams p, Caller caller, SubscriptionService service, AppDbContext db, CancellationToken ct)
    {
        var result = await service.SubscribeAsync(caller.AccountId, type, id, ReadInput(p), ct);
        switch (result.Error)
        {
            case SubscribeError.TargetNotFound:
                return type switch
                {
                    SubscribableTypes.Course => ApiError.CourseNotFound(),
                    SubscribableTypes.Tag => ApiError.TagNotFound(),
                    _ => ApiError.NotFound(),
                };
            case SubscribeError.EmailMissing: return ApiError.EmailRequired();
            case SubscribeError.Invalid: return ApiError.SubscriberInvalid(result.Violation);
        }

        var subscription = result.Subscription!;
        // The public api_key may sit in browser code, so it only learns the id; the secret sees everything.
        object subscriber = caller.UsedSecret
            ? (await SubscriberViews.LoadOneAsync(db, caller.AccountId, subscription.SubscriberId, ct))!
            : new SubscriberIdResponse(subscription.SubscriberId);
        return TypedResults.Ok(new SubscribeResponse(SubscriptionResponse.From(subscription, subscriber)));
    }

    static SubscribeInput ReadInput(ApiParams p)
    {
        Dictionary<string, string?>? fields = null;
        if (p.Object("fields") is { } obj)
        {
            fields = [];
            foreach (var (key, value) in obj) fields[key] = ApiParams.AsString(value, $"fields[{key}]");
        }
        return new SubscribeInput(
            Email: p.String("email"),
            // `name` is the pre-2018 spelling of first_name; clients still send it.
            FirstName: p.String("first_name") ?? p.String("name"),
            Fields: fields,
            TagIds: p.LongList("tags") ?? [],
            FormIds: p.LongList("forms") ?? [],
            CourseIds: p.LongList("courses") ?? []);
    }
}
