using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Api.V4.Bulk;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api.V4;

static class BulkArrange
{
    public static Task<int> RunBulkWorkerAsync(this MailroomApp app) =>
        app.Services.GetRequiredService<BulkWorker>().RunOnceAsync(CancellationToken.None);

    /// <summary>Runs the worker, moving the clock to each callback retry, until nothing is left to do (bounded).</summary>
    public static async Task SettleBulkAsync(this MailroomApp app, int maxPasses = 30)
    {
        for (var i = 0; i < maxPasses; i++)
        {
            await app.RunBulkWorkerAsync();
            var next = await app.DbAsync(db => db.BulkJobs.Where(j => j.Status == BulkJobStatuses.Queued || (j.CallbackDeliveredAt == null && j.NextCallbackAt != null))
                .Select(j => new { j.Status, j.NextCallbackAt }).ToListAsync());
            if (next.Count == 0) return;
            if (next.All(j => j.Status != BulkJobStatuses.Queued))
            {
                var at = next.Min(j => j.NextCallbackAt!.Value);
                if (at > app.Clock.GetUtcNow().UtcDateTime) app.Clock.SetUtcNow(new DateTimeOffset(at, TimeSpan.Zero).AddSeconds(1));
            }
        }
        Assert.Fail($"bulk jobs still pending after {maxPasses} passes");
    }

    /// <summary>
    /// A job row as POST /v4/bulk/... stores one for more than 100 items, with the items as sent (bulk creates are now
    /// stored already read; the worker reads both forms).
    /// </summary>
    public static Task<BulkJob> QueueAsync(this MailroomApp app, long accountId, string operation, string itemsKey, JsonArray items, string? callbackUrl = null) =>
        app.DbAsync(async db =>
        {
            var payload = new JsonObject { [itemsKey] = items, ["callback_url"] = callbackUrl }.ToJsonString();
            var job = new BulkJob
            {
                AccountId = accountId, Operation = operation, Payload = payload, PayloadBytes = Encoding.UTF8.GetByteCount(payload),
                CallbackUrl = callbackUrl, Status = BulkJobStatuses.Queued, CreatedAt = MailroomApp.Start.UtcDateTime,
            };
            db.BulkJobs.Add(job);
            await db.SaveChangesAsync();
            return job;
        });

    public static Task<BulkJob> JobAsync(this MailroomApp app, long id) =>
        app.DbAsync(db => db.BulkJobs.AsNoTracking().SingleAsync(j => j.Id == id));

    public static JsonArray Items(int count, Func<int, JsonObject> item) => [.. Enumerable.Range(0, count).Select(i => (JsonNode)item(i))];

    public static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {JsonNode.Parse(expected)?.ToJsonString()}\nActual   {actual?.ToJsonString()}");
}
