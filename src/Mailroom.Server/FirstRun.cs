using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Accounts;
using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Forms;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Domain.Users;
using Microsoft.Extensions.Options;

namespace Mailroom.Server;

/// <summary>
/// On an empty database `serve` creates a demo account so a new user can call the API at once.
/// Its keys are printed to the console once, like `mailroom accounts create` does; they never go to the log.
/// </summary>
static class FirstRun
{
    public const string DemoOwnerEmail = "owner@demo.test";

    public static async Task CreateDemoAccountIfEmptyAsync(WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled) return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (await db.Accounts.AnyAsync()) return;

        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var now = time.UtcNowSeconds();
        var created = scope.ServiceProvider.GetRequiredService<AccountService>()
            .Add("Demo Account", "owner@demo.test", "creator");
        await db.SaveChangesAsync();
        var id = created.Account.Id;
        db.Forms.AddRange(
            new Form { AccountId = id, Name = "Newsletter", Type = FormTypes.Embed, Format = "inline", Uid = FormDefaults.NewUid(),
                       Title = "Join the newsletter", Description = "One email a week, no spam.", SignUpButtonText = "Subscribe",
                       SuccessMessage = FormDefaults.ConfirmMessage, DoubleOptIn = true, CreatedAt = now },
            new Form { AccountId = id, Name = "Launch Page", Type = FormTypes.Hosted, Uid = FormDefaults.NewUid(),
                       Title = "Something new is coming", Description = "<p>Be the first to know.</p>", SignUpButtonText = "Notify me",
                       SuccessMessage = "Thanks! You're on the list.", CreatedAt = now });
        foreach (var tag in new[] { "Customer", "Lead" })
            db.Tags.Add(new Tag { AccountId = id, Name = tag, NormalizedName = tag.ToLowerInvariant(), CreatedAt = now, UpdatedAt = now });
        var field = new CustomField { AccountId = id, Label = "Last Name", Key = CustomFieldKeys.KeyFor("Last Name"), CreatedAt = now, UpdatedAt = now };
        db.CustomFields.Add(field);
        await db.SaveChangesAsync();
        field.Name = CustomFieldKeys.NameFor(field.Id, field.Key);
        await db.SaveChangesAsync();
        await AddWelcomeSequenceAsync(scope.ServiceProvider.GetRequiredService<SequenceEditor>(), id);
        var (owner, _) = await scope.ServiceProvider.GetRequiredService<UserService>()
            .CreateAsync(DemoOwnerEmail, password: null, id, AccountRoles.Owner, CancellationToken.None);
        // The address is known once the server listens; the link's token is stored (hashed) now.
        var signInToken = await scope.ServiceProvider.GetRequiredService<UserService>().IssueLinkTokenAsync(owner, UserService.SignInPurpose);

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var url = app.Services.GetRequiredService<PublicUrl>().Value;
            using var linkScope = app.Services.CreateScope();
            var signInLink = linkScope.ServiceProvider.GetRequiredService<UserService>().LinkFor(signInToken);
            Console.WriteLine($"""

                Created a demo account (set Demo:Enabled=false to skip this on an empty database).
                  api_key:    {created.ApiKey}
                  api_secret: {created.ApiSecret}
                  sign in as {DemoOwnerEmail} (owner), once, within {UserService.LinkLifetime.TotalHours:0} hours:
                    {signInLink}
                These are shown once. Try:
                  curl '{url}/v3/account?api_secret={created.ApiSecret}'

                """);
        });
    }

    /// <summary>Two published emails, at once and two days later, so a first subscriber sees a sequence send.</summary>
    static async Task AddWelcomeSequenceAsync(SequenceEditor editor, long accountId)
    {
        var sequence = await editor.CreateAsync(accountId, new SequenceSettings(Name: "Welcome Sequence"), CancellationToken.None);
        await editor.AddEmailAsync(accountId, sequence.Id, new EmailSettings(
            Subject: "Welcome, {{ subscriber.first_name | default: 'friend' }}!", DelayValue: 0, DelayUnit: DelayUnits.Days, Published: true,
            Content: new("<p>Thanks for joining. Over the next few days you'll get a couple of short emails to help you get started.</p>")),
            CancellationToken.None);
        await editor.AddEmailAsync(accountId, sequence.Id, new EmailSettings(
            Subject: "Two days in: where to start", DelayValue: 2, DelayUnit: DelayUnits.Days, Published: true,
            Content: new("<p>Here is the one thing we'd read first. Reply any time: a person reads every answer.</p>")),
            CancellationToken.None);
    }
}
