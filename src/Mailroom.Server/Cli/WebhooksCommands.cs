using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Api.Infrastructure;
using Mailroom.Server.Domain;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Domain.Webhooks;

namespace Mailroom.Server.Cli;

static class WebhooksCommands
{
    public static Command Build()
    {
        var webhooks = new Command("webhooks", "Webhook signing secrets and the delivery log.");
        webhooks.Subcommands.Add(Secret());
        webhooks.Subcommands.Add(Deliveries());
        webhooks.Subcommands.Add(Retry());
        return webhooks;
    }

    static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    static Command Secret()
    {
        var account = new Option<long>("--account") { Description = "Account id.", Required = true };
        var clear = new Option<bool>("--clear") { Description = "Remove the secret: webhooks go out unsigned again." };
        var json = JsonOption();
        var command = new Command("secret",
            "Generate a new webhook signing secret and print it once; every webhook then carries X-Mailroom-Signature.") { account, clear, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = parse.GetValue(account);
            var secret = parse.GetValue(clear) ? null : Credentials.NewSecret();
            // Stored as is, not hashed: signing needs the secret itself. Deliveries still waiting are signed with it.
            var updated = await db.Accounts.Where(a => a.Id == accountId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.WebhookSigningSecret, secret), ct);
            if (updated == 0) throw new CliException($"account {accountId} does not exist");
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                await output.WriteLineAsync(JsonSerializer.Serialize(new { account_id = accountId, secret }));
            else if (secret is null)
                await output.WriteLineAsync($"Account {accountId} no longer signs webhooks.");
            else
                await output.WriteLineAsync($"""
                    New webhook signing secret for account {accountId}; any previous one no longer signs.
                    secret: {secret}
                    Every webhook now carries X-Mailroom-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with this secret>.
                    Store it now: it is not shown again.
                    """);
            return 0;
        }));
        return command;
    }

    static Command Deliveries()
    {
        var failed = new Option<bool>("--failed") { Description = "Only deliveries that gave up." };
        var account = new Option<long?>("--account") { Description = "Only this account's deliveries." };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (default 50).", DefaultValueFactory = _ => 50 };
        var json = JsonOption();
        var command = new Command("deliveries", "List recent webhook deliveries with their status, attempts and last answer.") { failed, account, limit, json };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(limit) is < 1 or > 10_000) throw new CliException("--limit must be between 1 and 10000");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var query = db.WebhookDeliveries.AsNoTracking();
                if (parse.GetValue(failed)) query = query.Where(d => d.Status == WebhookDeliveryStatuses.Failed);
                if (parse.GetValue(account) is { } accountId) query = query.Where(d => d.AccountId == accountId);
                var rows = await (
                    from d in query
                    join r in db.WebhookRules on d.RuleId equals r.Id
                    orderby d.Id descending
                    select new { d.Id, d.DeliveryId, d.AccountId, d.RuleId, r.EventName, d.TargetUrl, d.Status, d.Attempts, d.LastStatusCode,
                        d.LastError, d.CreatedAt, d.NextAttemptAt, d.DeliveredAt }).Take(parse.GetValue(limit)).ToListAsync(ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new
                    {
                        id = r.Id, delivery_id = r.DeliveryId, account_id = r.AccountId, rule_id = r.RuleId, @event = r.EventName,
                        target_url = r.TargetUrl, status = r.Status, attempts = r.Attempts, last_status_code = r.LastStatusCode,
                        last_error = r.LastError, created_at = KitTimestampConverter.Write(r.CreatedAt),
                        next_attempt_at = r.Status == WebhookDeliveryStatuses.Pending ? KitTimestampConverter.Write(r.NextAttemptAt) : null,
                        delivered_at = r.DeliveredAt is { } at ? KitTimestampConverter.Write(at) : null,
                    })));
                    return 0;
                }
                if (rows.Count == 0) { await output.WriteLineAsync("No webhook deliveries."); return 0; }
                await output.WriteLineAsync($"{"ID",-7} {"DELIVERY",-36} {"EVENT",-22} {"STATUS",-9} {"TRIES",5} {"CODE",4} {"CREATED",-20} {"NEXT/DONE",-20} TARGET");
                foreach (var r in rows)
                {
                    // Pending: when it is tried next. Delivered: when it arrived. Failed: its last attempt.
                    var when = r.DeliveredAt ?? (r.Status is WebhookDeliveryStatuses.Pending or WebhookDeliveryStatuses.Failed ? r.NextAttemptAt : null);
                    await output.WriteLineAsync($"{r.Id,-7} {r.DeliveryId,-36} {r.EventName,-22} {r.Status,-9} {r.Attempts,5} {r.LastStatusCode?.ToString() ?? "-",4} " +
                        $"{Time(r.CreatedAt),-20} {(when is { } w ? Time(w) : "-"),-20} {r.TargetUrl}");
                    if (r.LastError is not null && r.Status != WebhookDeliveryStatuses.Delivered)
                        await output.WriteLineAsync($"        last error: {CliHost.OneLine(r.LastError)}");
                }
                return 0;
            });
        });
        return command;
    }

    static Command Retry()
    {
        var id = new Argument<long>("id") { Description = "Delivery id (the ID column of `webhooks deliveries`)." };
        var json = JsonOption();
        var command = new Command("retry", "Send a failed delivery again now, with its original X-Mailroom-Delivery id.") { id, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var deliveryId = parse.GetValue(id);
            var outcome = await WebhookRequeue.RequeueAsync(services.GetRequiredService<AppDbContext>(),
                services.GetRequiredService<TimeProvider>(), deliveryId, accountId: null, ct);
            switch (outcome.Result)
            {
                case WebhookRequeueResult.NotFound: throw new CliException($"delivery {deliveryId} does not exist");
                case WebhookRequeueResult.NotFailed: throw new CliException($"delivery {deliveryId} is {outcome.Status}, not failed");
                case WebhookRequeueResult.RuleDeleted: throw new CliException($"delivery {deliveryId} belongs to a deleted rule");
                case WebhookRequeueResult.Changed: throw new CliException($"delivery {deliveryId} changed while being requeued; try again");
            }
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(new { id = deliveryId, status = WebhookDeliveryStatuses.Pending }));
            else await output.WriteLineAsync($"Delivery {deliveryId} is queued again; the dispatcher sends it on its next pass.");
            return 0;
        }));
        return command;
    }

    static string Time(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
