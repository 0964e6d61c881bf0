using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Cli;

static class SubscribersCommands
{
    public static Command Build()
    {
        var subscribers = new Command("subscribers", "Subscriber changes that come from the mail system, not the API.");
        subscribers.Subcommands.Add(Complain());
        return subscribers;
    }

    static Command Complain()
    {
        var email = new Argument<string>("email") { Description = "The subscriber's email address." };
        var account = new Option<long>("--account") { Description = "Account id.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("complain",
            "Record a spam complaint (from a feedback loop): the subscriber becomes complained and subscriber_complain webhooks fire.")
            { email, account, json };
        command.SetAction(async (parse, ct) =>
        {
            var address = parse.GetValue(email)!.Trim();
            if (!EmailAddress.IsValid(address)) throw new CliException($"'{address}' is not a valid email address");
            var accountId = parse.GetValue(account);
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                if (!await services.GetRequiredService<AppDbContext>().Accounts.AnyAsync(a => a.Id == accountId, ct))
                    throw new CliException($"account {accountId} does not exist");
                var result = await services.GetRequiredService<SubscriberService>().ComplainAsync(accountId, address, ct)
                    ?? throw new CliException($"account {accountId} has no subscriber {address}");
                var (subscriber, changed) = result;
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    { id = subscriber.Id, email_address = subscriber.EmailAddress, state = subscriber.State, changed }));
                else
                    await output.WriteLineAsync(changed
                        ? $"Subscriber {subscriber.Id} ({subscriber.EmailAddress}) is now complained."
                        : $"Subscriber {subscriber.Id} ({subscriber.EmailAddress}) was already complained; nothing changed.");
                return 0;
            });
        });
        return command;
    }
}
