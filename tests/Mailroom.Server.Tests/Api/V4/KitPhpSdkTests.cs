using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>
/// Kit's PHP SDK 2.x (convertkit/convertkitapi, ConvertKit_API::request) against Mailroom, request for request: its
/// headers (JSON Accept and Content-Type on every call, GETs included), GET arguments through http_build_query (booleans
/// as 1/0, empty strings kept), every other method with json_encode($args) as the body — "[]" when there are none —
/// and its token refresh as JSON at /oauth/token. Only the base URL differs from Kit.
/// </summary>
public sealed class KitPhpSdkTests
{
    sealed class Sdk(MailroomApp app, string accessToken)
    {
        public string AccessToken { get; set; } = accessToken;

        public async Task<(int Status, JsonNode? Body)> RequestAsync(string method, string endpoint, (string Key, object? Value)[]? args = null)
        {
            args ??= [];
            var url = "/v4/" + endpoint;
            HttpContent? content = null;
            if (method == "GET")
            {
                if (args.Length > 0) url += "?" + string.Join("&", args.Select(a => $"{Uri.EscapeDataString(a.Key)}={Uri.EscapeDataString(Php(a.Value))}"));
            }
            else content = new StringContent(args.Length == 0 ? "[]" : Json(args).ToJsonString(), Encoding.UTF8);
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = content };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.TryAddWithoutValidation("User-Agent", "ConvertKitPHPSDK/2.0.1;PHP/8.2.0");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
            if (content is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
            using var response = await app.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
        }

        static JsonObject Json((string Key, object? Value)[] args) =>
            new([.. args.Select(a => new KeyValuePair<string, JsonNode?>(a.Key, System.Text.Json.JsonSerializer.SerializeToNode(a.Value)))]);

        /// <summary>What http_build_query writes for a scalar: true → 1, false → 0.</summary>
        static string Php(object? value) => value switch { true => "1", false => "0", null => "", _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)! };
    }

    [Theory, Providers]
    public async Task TheSdksCalls_WorkWithOnlyTheBaseUrlChanged(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync("Kit Greetings", "owner@acme.test");
        var registered = await V4OAuth.CreateAppAsync(app);
        var tokens = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        var sdk = new Sdk(app, tokens.AccessToken);

        var accountAnswer = await sdk.RequestAsync("GET", "account");
        var growth = await sdk.RequestAsync("GET", "account/growth_stats", [("starting", ""), ("ending", "")]);
        var created = await sdk.RequestAsync("POST", "subscribers", [("email_address", "alice@example.com"), ("first_name", "Alice")]);
        var found = await sdk.RequestAsync("GET", "subscribers", [("email_address", "alice@example.com")]);
        var subscriberId = found.Body!["subscribers"]![0]!["id"]!.GetValue<long>();
        var listed = await sdk.RequestAsync("GET", "subscribers", [("status", "active"), ("sort_field", "id"), ("sort_order", "desc"), ("include_total_count", false), ("per_page", 100)]);
        var tag = await sdk.RequestAsync("POST", "tags", [("name", "VIP")]);
        var tagId = tag.Body!["tag"]!["id"]!.GetValue<long>();
        var tagged = await sdk.RequestAsync("POST", $"tags/{tagId}/subscribers/{subscriberId}");
        var untagged = await sdk.RequestAsync("DELETE", $"tags/{tagId}/subscribers", [("email_address", "alice@example.com")]);
        var sequence = await sdk.RequestAsync("POST", "sequences", [("name", "Welcome")]);
        var sequenceId = sequence.Body!["sequence"]!["id"]!.GetValue<long>();
        var joined = await sdk.RequestAsync("POST", $"sequences/{sequenceId}/subscribers/{subscriberId}");
        var hook = await sdk.RequestAsync("POST", "webhooks", [("target_url", "http://127.0.0.1:9/hook"), ("event", new { name = "subscriber.course_complete", course_id = sequenceId.ToString() })]);
        var purchase = await sdk.RequestAsync("POST", "purchases", [("email_address", "alice@example.com"), ("transaction_id", "T-1"),
            ("products", new[] { new { name = "Book", pid = 1, lid = 1, quantity = 1, unit_price = 9.5 } }), ("currency", "USD"),
            ("subtotal", 9.5), ("tax", 0), ("shipping", 0), ("discount", 0), ("total", 9.5), ("transaction_time", "2024-05-01 10:00:00")]);
        var unsubscribed = await sdk.RequestAsync("POST", $"subscribers/{subscriberId}/unsubscribe");

        Assert.Equal((200, "Kit Greetings"), (accountAnswer.Status, accountAnswer.Body!["account"]!["name"]!.GetValue<string>()));
        Assert.Equal(200, growth.Status);
        Assert.Equal(201, created.Status);
        Assert.Equal(200, listed.Status);
        Assert.Equal(201, tag.Status);
        Assert.Equal(201, tagged.Status);
        Assert.Equal(204, untagged.Status);
        Assert.Equal(201, sequence.Status);
        Assert.Equal(201, joined.Status);
        Assert.Equal(201, hook.Status);
        Assert.Equal((201, "T-1"), (purchase.Status, purchase.Body!["purchase"]!["transaction_id"]!.GetValue<string>()));
        Assert.Equal(204, unsubscribed.Status);
    }

    [Theory, Providers]
    public async Task RefreshToken_AsTheSdkSendsIt_JsonWithRedirectUri_RotatesThePair(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app, redirectUri: "http://127.0.0.1:9/callback");
        var tokens = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);

        async Task<(int Status, JsonNode Body)> RefreshAsync(string refreshToken)
        {
            var body = new JsonObject
            {
                ["refresh_token"] = refreshToken, ["client_id"] = registered.ClientId, ["client_secret"] = registered.ClientSecret,
                ["grant_type"] = "refresh_token", ["redirect_uri"] = "http://127.0.0.1:9/callback",
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await app.Http.SendAsync(request);
            return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }

        var first = await RefreshAsync(tokens.RefreshToken);
        var sdk = new Sdk(app, first.Body["access_token"]!.GetValue<string>());
        var call = await sdk.RequestAsync("GET", "account");
        var replay = await RefreshAsync(tokens.RefreshToken);
        // A replayed refresh token is taken as stolen (RFC 6819 §5.2.2.3, OpenIddict's default): the whole grant ends.
        var afterReplay = await sdk.RequestAsync("GET", "account");

        Assert.True(first.Status == 200, first.Body.ToJsonString());
        Assert.NotEqual(tokens.RefreshToken, first.Body["refresh_token"]!.GetValue<string>());
        Assert.Equal((400, "invalid_grant"), (replay.Status, replay.Body["error"]!.GetValue<string>()));
        Assert.Equal(200, call.Status);
        Assert.Equal(401, afterReplay.Status);
    }
}
