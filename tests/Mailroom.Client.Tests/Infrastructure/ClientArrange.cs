using Mailroom.Data;
using Entities = Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.Infrastructure;

/// <summary>Clients pointed at an in-process Mailroom, and the few things v3 cannot create itself (forms, sequences).</summary>
static class ClientArrange
{
    public static readonly DateTime Now = MailroomApp.Start.UtcDateTime;
    public const string NotFoundMessage = "The entity you were trying to find doesn't exist";

    public static ConvertKitClient ClientFor(this MailroomApp app, TestAccount account) =>
        app.ClientWith(account.ApiKey, account.ApiSecret);

    /// <summary>A client holding only the public api_key, as browser-side code would.</summary>
    public static ConvertKitClient KeyOnlyClientFor(this MailroomApp app, TestAccount account) => app.ClientWith(account.ApiKey, null);

    /// <summary>Credentials Mailroom has never issued.</summary>
    public static ConvertKitClient ClientWithWrongCredentials(this MailroomApp app) => app.ClientWith("wrong-key", "wrong-secret");

    public static ConvertKitClient ClientWith(this MailroomApp app, string? apiKey, string? apiSecret) =>
        new(app.Http, new ConvertKitClientOptions { BaseAddress = V3(app), ApiKey = apiKey, ApiSecret = apiSecret });

    public static Uri V3(MailroomApp app) => new(app.Http.BaseAddress!, "/v3/");

    public static Task<Entities.Form> AddFormAsync(this MailroomApp app, long accountId, string name = "Newsletter", bool doubleOptIn = false) =>
        app.AddAsync(new Entities.Form
        {
            AccountId = accountId, Name = name, Type = FormTypes.Embed, Format = "inline", Uid = Guid.NewGuid().ToString("N")[..10],
            DoubleOptIn = doubleOptIn, Title = "Join us", SignUpButtonText = "Subscribe", SuccessMessage = "Thanks!", CreatedAt = Now,
        });

    public static Task<Entities.Sequence> AddSequenceAsync(this MailroomApp app, long accountId, string name = "Welcome course") =>
        app.AddAsync(new Entities.Sequence { AccountId = accountId, Name = name, Hold = false, Repeat = true, CreatedAt = Now });

    /// <summary>Active subscribers <c>s000@example.com</c>… created a second apart, in one save.</summary>
    public static Task AddSubscribersAsync(this MailroomApp app, long accountId, int count) =>
        app.DbAsync(async db =>
        {
            for (var i = 0; i < count; i++)
            {
                var email = $"s{i:D3}@example.com";
                db.Subscribers.Add(new Entities.Subscriber
                {
                    AccountId = accountId, EmailAddress = email, NormalizedEmail = email, State = SubscriberStates.Active,
                    CreatedAt = Now.AddSeconds(i), UpdatedAt = Now.AddSeconds(i),
                });
            }
            await db.SaveChangesAsync();
        });

    static Task<T> AddAsync<T>(this MailroomApp app, T entity) where T : class =>
        app.DbAsync(async db =>
        {
            db.Add(entity);
            await db.SaveChangesAsync();
            return entity;
        });

    /// <summary>Asserts the call fails with exactly this status and Kit error envelope.</summary>
    public static async Task<ConvertKitApiException> AssertFailsAsync(this Task call, int status, string error, string message)
    {
        var e = await Assert.ThrowsAsync<ConvertKitApiException>(() => call);
        Assert.Equal((status, error, message), ((int)e.StatusCode, e.Error, e.Message));
        return e;
    }

    public static Task<ConvertKitApiException> AssertNotFoundAsync(this Task call) => call.AssertFailsAsync(404, "Not Found", NotFoundMessage);

    public static Task<ConvertKitApiException> AssertKeyNotValidAsync(this Task call) =>
        call.AssertFailsAsync(401, "Authorization Failed", "API Key not valid");

    public static Task<ConvertKitApiException> AssertUnprocessableAsync(this Task call, string message) =>
        call.AssertFailsAsync(422, "Unprocessable Entity", message);
}
