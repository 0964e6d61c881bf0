using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

/// <summary>The API-key credential and the v4 error body as ConvertKitApiException carries it.</summary>
public sealed class CredentialsKitTests
{
    [Theory, Providers]
    public async Task AnyCall_WrongApiKey_Throws401WithKitsMessageInErrors(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var e = await app.KitWithKey("kit_wrong").ListSegmentsAsync().AssertKitErrorAsync(401, KitArrange.AccessTokenInvalid);

        Assert.Equal("Unauthorized", e.Error);
    }

    [Theory, Providers]
    public async Task AnyCall_RevokedAccountsKey_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        await kit.ListSegmentsAsync();
        await app.DbAsync(async db =>
        {
            foreach (var key in db.ApiKeys.Where(k => k.AccountId == account.Id)) key.RevokedAt = ClientArrange.Now;
            await db.SaveChangesAsync();
        });

        await kit.ListSegmentsAsync().AssertKitErrorAsync(401, KitArrange.AccessTokenInvalid);
    }

    [Fact]
    public void Constructor_NoCredentialOrBoth_Throws()
    {
        using var http = new HttpClient();
        var session = new KitOAuthSession("client", null, new KitOAuthTokens("a", "r"));

        Assert.Throws<ArgumentException>(() => new KitClient(http, new KitClientOptions()));
        Assert.Throws<ArgumentException>(() => new KitClient(http, new KitClientOptions { ApiKey = "k", OAuth = session }));
    }
}
