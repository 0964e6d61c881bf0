using System.Text.Json.Nodes;
using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

/// <summary>Which credential goes where (spec §1.2): the key where Kit allows it, the secret only where required.</summary>
public sealed class CredentialsClientTests
{
    static (ConvertKitClient Client, RecordingHandler Recorder) Recorded(MailroomApp app, string? key, string? secret, string? integrationKey = null)
    {
        var recorder = new RecordingHandler { InnerHandler = app.Server.CreateHandler() };
        var options = new ConvertKitClientOptions
        {
            BaseAddress = ClientArrange.V3(app), ApiKey = key, ApiSecret = secret, IntegrationKey = integrationKey,
        };
        return (new ConvertKitClient(new HttpClient(recorder), options), recorder);
    }

    [Theory, Providers]
    public async Task KeyScopeCall_BothCredentials_SendsOnlyTheKeyInTheQuery(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var (kit, recorder) = Recorded(app, account.ApiKey, account.ApiSecret, "partner-1");

        await kit.ListTagsAsync();

        var (method, uri, body) = Assert.Single(recorder.Requests);
        Assert.Equal((HttpMethod.Get, null), (method, body));
        Assert.Equal($"/v3/tags?api_key={account.ApiKey}&integration_key=partner-1", uri.PathAndQuery);
    }

    [Theory, Providers]
    public async Task SecretScopePost_SendsTheSecretAndIntegrationKeyInTheJsonBody(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var (kit, recorder) = Recorded(app, account.ApiKey, account.ApiSecret, "partner-1");

        await kit.CreateCustomFieldAsync("Last name");

        var (method, uri, body) = Assert.Single(recorder.Requests);
        Assert.Equal((HttpMethod.Post, "/v3/custom_fields"), (method, uri.PathAndQuery));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"label":"Last name","api_secret":"{{account.ApiSecret}}","integration_key":"partner-1"}"""),
            JsonNode.Parse(body!)));
    }

    [Theory, Providers]
    public async Task SecretScopeDelete_SendsTheSecretInTheQuery(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var (kit, recorder) = Recorded(app, account.ApiKey, account.ApiSecret);
        var field = await kit.CreateCustomFieldAsync("Last name");

        await kit.DeleteCustomFieldAsync(field.Id);

        var (method, uri, body) = recorder.Requests[^1];
        Assert.Equal((HttpMethod.Delete, $"/v3/custom_fields/{field.Id}?api_secret={account.ApiSecret}", null), (method, uri.PathAndQuery, body));
    }

    [Theory, Providers]
    public async Task KeyOnlyClient_KeyScopeCalls_Succeed(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var kit = app.KeyOnlyClientFor(account);

        var subscribed = await kit.SubscribeToFormAsync(form.Id, new SubscribeRequest("ada@example.com"));
        var tag = await kit.CreateTagAsync("Customer");
        var tags = await kit.ListSubscriberTagsAsync(subscribed.Subscriber.Id);

        Assert.Equal(form.Id, subscribed.SubscribableId);
        Assert.Equal("Customer", tag.Name);
        Assert.Empty(tags);
        Assert.Single(await kit.ListFormsAsync());
    }

    [Theory, Providers]
    public async Task KeyOnlyClient_SecretScopeCall_ThrowsInvalidOperationWithoutSending(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var (kit, recorder) = Recorded(app, account.ApiKey, secret: null);

        await Assert.ThrowsAsync<InvalidOperationException>(() => kit.GetAccountAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => kit.UnsubscribeAsync("ada@example.com"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => kit.DeleteBroadcastAsync(1));

        Assert.Equal(0, recorder.Count);
    }

    [Theory, Providers]
    public async Task SecretOnlyClient_KeyScopeCall_SendsTheSecret(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var (kit, recorder) = Recorded(app, key: null, account.ApiSecret);

        await kit.ListSequencesAsync();

        Assert.Equal($"/v3/sequences?api_secret={account.ApiSecret}", Assert.Single(recorder.Requests).Uri.PathAndQuery);
    }

    [Fact]
    public async Task NoCredentials_AnyCall_ThrowsInvalidOperation()
    {
        var kit = new ConvertKitClient(new HttpClient(), new ConvertKitClientOptions());

        await Assert.ThrowsAsync<InvalidOperationException>(() => kit.ListFormsAsync());
    }

    [Fact]
    public void Options_Default_PointAtKit()
    {
        Assert.Equal(new Uri("https://api.convertkit.com/v3/"), new ConvertKitClientOptions().BaseAddress);
    }
}
