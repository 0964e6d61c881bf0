using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Forms;

namespace Mailroom.Server.Cli;

static class FormsCommands
{
    public static Command Build()
    {
        var forms = new Command("forms", "Manage forms and landing pages (v3 has no API for this).");
        forms.Subcommands.Add(Create());
        return forms;
    }

    static Command Create()
    {
        var account = new Option<long>("--account") { Description = "Account id.", Required = true };
        var name = new Option<string>("--name") { Description = "Form name.", Required = true };
        var type = new Option<string>("--type") { Description = "embed (a form on your site) or hosted (a landing page).", DefaultValueFactory = _ => FormTypes.Embed };
        type.AcceptOnlyFromAmong(FormTypes.Embed, FormTypes.Hosted);
        var format = new Option<string?>("--format") { Description = "For embed forms: inline, modal, slide in or sticky bar (default inline)." };
        format.AcceptOnlyFromAmong(FormDefaults.Formats);
        var title = new Option<string?>("--title") { Description = "Heading shown on the form." };
        var description = new Option<string?>("--description") { Description = "Text (HTML allowed) under the heading." };
        var button = new Option<string?>("--button-text") { Description = "Sign-up button text (default Subscribe)." };
        var success = new Option<string?>("--success-message") { Description = "Shown after a successful sign-up." };
        var confirmationSubject = new Option<string?>("--confirmation-subject") { Description = "Subject of the double opt-in email (default: Mailroom's)." };
        var confirmationContent = new Option<string?>("--confirmation-content") { Description = "HTML of the double opt-in email (default: Mailroom's)." };
        var doubleOptIn = new Option<bool>("--double-opt-in") { Description = "New subscribers must confirm by email before they are active." };
        var archived = new Option<bool>("--archived") { Description = "Create the form archived." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("create", "Create an embed form or a hosted landing page.")
            { account, name, type, format, title, description, button, success, confirmationSubject, confirmationContent, doubleOptIn, archived, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = CliCheck.Name(parse.GetValue(name), "--name");
            var typeValue = parse.GetValue(type)!;
            if (typeValue == FormTypes.Hosted && parse.GetValue(format) is not null)
                throw new CliException("--format applies to embed forms only; landing pages have no format");
            return await CliHost.WithScopeAsync(parse, async services => await CreateAsync(services, parse, ct, nameValue, typeValue));
        });
        return command;

        async Task<int> CreateAsync(IServiceProvider services, ParseResult parse, CancellationToken ct, string nameValue, string typeValue)
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = parse.GetValue(account);
            if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new CliException($"account {accountId} does not exist");
            var form = new Form
            {
                AccountId = accountId, Name = nameValue, Type = typeValue,
                Format = typeValue == FormTypes.Embed ? parse.GetValue(format) ?? "inline" : null,
                Uid = FormDefaults.NewUid(), Title = parse.GetValue(title), Description = parse.GetValue(description),
                SignUpButtonText = parse.GetValue(button) ?? "Subscribe", SuccessMessage = parse.GetValue(success),
                ConfirmationSubject = parse.GetValue(confirmationSubject), ConfirmationContent = parse.GetValue(confirmationContent),
                DoubleOptIn = parse.GetValue(doubleOptIn), Archived = parse.GetValue(archived),
                CreatedAt = services.GetRequiredService<TimeProvider>().UtcNowSeconds(),
            };
            db.Forms.Add(form);
            await db.SaveChangesAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(new { id = form.Id, uid = form.Uid, name = form.Name, type = form.Type }));
            else await output.WriteLineAsync($"Created {(form.Type == FormTypes.Hosted ? "landing page" : "form")} {form.Id} ({form.Name}), uid {form.Uid}.");
            return 0;
        }
    }
}
