using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Webhooks;

namespace Mailroom.Server.Tests.Webhooks;

static class WebhookArrange
{
    /// <summary>Creates a rule through the API, as a client would, and returns its id.</summary>
    public static async Task<long> RuleAsync(this MailroomApp app, TestAccount account, string targetUrl, object @event)
    {
        var response = await app.Http.PostAsync("/v3/automations/hooks",
            HttpAssert.Json(new { api_secret = account.ApiSecret, target_url = targetUrl, @event }));
        var json = await response.AssertStatusAsync(200);
        return (long)json["rule"]!["id"]!;
    }

    public static Task<int> DispatchAsync(this MailroomApp app) =>
        app.Services.GetRequiredService<WebhookDispatcher>().RunOnceAsync(CancellationToken.None);

    public static Task<List<WebhookDelivery>> DeliveriesAsync(this MailroomApp app) =>
        app.DbAsync(db => db.WebhookDeliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync());

    /// <summary>Dispatches, then moves the clock to the next retry, until nothing is pending (bounded).</summary>
    public static async Task DispatchUntilSettledAsync(this MailroomApp app, int maxPasses = 50)
    {
        for (var i = 0; i < maxPasses; i++)
        {
            await app.DispatchAsync();
            var next = await app.DbAsync(db => db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatuses.Pending)
                .OrderBy(d => d.NextAttemptAt).Select(d => (DateTime?)d.NextAttemptAt).FirstOrDefaultAsync());
            if (next is null) return;
            if (next.Value > app.Clock.GetUtcNow().UtcDateTime)
                app.Clock.SetUtcNow(new DateTimeOffset(next.Value, TimeSpan.Zero).AddSeconds(1));
        }
        Assert.Fail($"deliveries still pending after {maxPasses} passes");
    }

    public static void AssertJson(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nExpected: {e?.ToJsonString()}\nActual:   {a?.ToJsonString()}");
    }

    /// <summary>The subscriber payload of spec §4.5 for a subscriber created at the test clock's start.</summary>
    public static string SubscriberPayload(long id, string email, string state, string? firstName = null, string fields = "{}") =>
        new JsonObject
        {
            ["subscriber"] = new JsonObject
            {
                ["id"] = id, ["first_name"] = firstName, ["email_address"] = email, ["state"] = state,
                ["created_at"] = "2024-05-01T10:00:00.000Z", ["fields"] = JsonNode.Parse(fields),
            },
        }.ToJsonString();
}
