using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4.Bulk;
using Mailroom.Server.Delivery;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Domain;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// The seven /v4/bulk operations, OAuth only, with the larger body limit. Up to 100 items are applied while the caller
/// waits (200, Kit's body with per-item failures); more are stored as a <see cref="BulkJob"/>, answered 202 <c>{}</c>,
/// applied once by <see cref="BulkWorker"/> and the same body POSTed to callback_url (v4 notes §3.5).
/// </summary>
static class BulkEndpoints
{
    public static RouteGroupBuilder MapV4Bulk(this RouteGroupBuilder v4)
    {
        Map(v4.MapPost("/bulk/subscribers", Handler(BulkOperations.Subscribers)), "Subscribers", "Bulk create subscribers", 401, 403, 413, 422);
        Map(v4.MapPost("/bulk/tags", Handler(BulkOperations.Tags)), "Tags", "Bulk create tags", 401, 413, 422);
        Map(v4.MapPost("/bulk/tags/subscribers", Handler(BulkOperations.Taggings)), "Tags", "Bulk tag subscribers", 401, 413, 422);
        Map(v4.MapDelete("/bulk/tags/subscribers", Handler(BulkOperations.Untaggings)), "Tags", "Bulk remove tags from subscribers", 401, 413, 422);
        Map(v4.MapPost("/bulk/custom_fields", Handler(BulkOperations.CustomFields)), "Custom Fields", "Bulk create custom fields", 401, 413, 422);
        Map(v4.MapPost("/bulk/custom_fields/subscribers", Handler(BulkOperations.FieldValues)), "Custom Fields", "Bulk update subscriber custom field values", 401, 413, 422);
        Map(v4.MapPost("/bulk/forms/subscribers", Handler(BulkOperations.FormAdditions)), "Forms", "Bulk add subscribers to forms", 401, 413, 422);
        return v4;
    }

    static void Map(RouteHandlerBuilder route, string tag, string summary, params int[] errors) =>
        route.WithTags(tag).WithSummary(summary).OAuthOnly().WithMetadata(new BulkBodyAttribute()).V4Errors(errors);

    // inferred: "This request would exceed your subscriber limit" (403) is never answered: Mailroom is self-hosted and
    // has no plan with a subscriber limit, so a bulk create can always add its subscribers.
    static Delegate Handler(BulkOperation op) =>
        (ApiParams p, V4Caller caller, AppDbContext db, BulkApplier applier, TimeProvider time, IOptions<BulkOptions> bulk,
            IOptions<WebhookOptions> webhooks, WorkerWakeup<BulkWorker> worker, CancellationToken ct) =>
            HandleAsync(op, p, caller, db, applier, time, bulk.Value, webhooks.Value, worker, ct);

    static async Task<IResult> HandleAsync(BulkOperation op, ApiParams p, V4Caller caller, AppDbContext db, BulkApplier applier,
        TimeProvider time, BulkOptions bulk, WebhookOptions webhooks, WorkerWakeup<BulkWorker> worker, CancellationToken ct)
    {
        // Checked (400 on a wrong type) before anything else, so a queued job never fails later on its input.
        var items = BulkApplier.Read(op, p);
        if (items.Count == 0) return V4Error.Unprocessable(op.EmptyMessage);
        var callback = p.String("callback_url");
        var sync = items.Count <= BulkOperations.SyncLimit;
        var payload = sync ? null : BulkApplier.Payload(op, items, callback);
        // The callback is a webhook target by another name: the same checks now, the same guarded client later.
        if (callback is not null && await WebhookRulesEndpoints.TargetProblemAsync(callback, webhooks, ct, "Callback url") is { } problem)
            return V4Error.Unprocessable(problem);

        if (payload is null)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await applier.ApplyAsync(caller.AccountId, op, items, ct);
            await tx.CommitAsync(ct);
            return V4Json.Ok(result);
        }

        var bytes = Encoding.UTF8.GetByteCount(payload);
        // Kit's quota is on request data waiting to be processed, per account, shared by every bulk operation.
        var queued = await db.BulkJobs.Where(j => j.AccountId == caller.AccountId && j.Status == BulkJobStatuses.Queued)
            .SumAsync(j => (long?)j.PayloadBytes, ct) ?? 0;
        if (queued + bytes > bulk.MaxQueuedBytes) return V4Error.BulkQueueFullResult();

        db.BulkJobs.Add(new BulkJob
        {
            AccountId = caller.AccountId, Operation = op.Name, Payload = payload, PayloadBytes = bytes, CallbackUrl = callback,
            Status = BulkJobStatuses.Queued, CreatedAt = time.UtcNowSeconds(),
        });
        await db.SaveChangesAsync(ct);
        worker.Wake();
        return V4Json.Accepted(new JsonObject());
    }
}
