using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Tests.Infrastructure;

public static class HttpAssert
{
    /// <summary>Asserts the status and that the body is exactly this JSON (property order ignored).</summary>
    public static async Task<JsonNode?> AssertJsonAsync(this HttpResponseMessage response, int status, string expectedJson)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "");
        var expected = JsonNode.Parse(expectedJson);
        var actual = JsonNode.Parse(body);
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"JSON differs.\nExpected: {expected?.ToJsonString()}\nActual:   {actual?.ToJsonString()}");
        return actual;
    }

    public static async Task<JsonNode> AssertStatusAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!;
    }

    public static StringContent Json(object body, string mediaType = "application/json") =>
        new(body is string s ? s : JsonSerializer.Serialize(body), Encoding.UTF8, mediaType);

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient http, HttpMethod method, string url, object body) =>
        http.SendAsync(new HttpRequestMessage(method, url) { Content = Json(body) });

    public static StringContent Raw(string body, string mediaType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
