using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>Helpers the v4 sequence, sequence-email and form tests share.</summary>
static class MembershipArrange
{
    public static Task<EmailLayout> AddLayoutAsync(this MailroomApp app, long accountId, string name = "Branded") =>
        app.DbAsync(async db =>
        {
            var layout = new EmailLayout { AccountId = accountId, Name = name, Html = "<html><body>{{ content }}</body></html>", CreatedAt = MailroomApp.Start.UtcDateTime };
            db.EmailLayouts.Add(layout);
            await db.SaveChangesAsync();
            return layout;
        });

    /// <summary>
    /// A call whose answer the document's schema for this status cannot describe (it types a field as non-null that
    /// Kit itself answers null, e.g. send_days of an hour email): checks the status, then validates the body against
    /// <paramref name="schemaOf"/> (method, url) when given, the document's schema of the same object elsewhere.
    /// </summary>
    public static async Task<JsonNode> RawAsync(this V4Client client, HttpMethod method, string url, int status, object? body = null,
        (string Method, string Url, int Status)? schemaOf = null)
    {
        using var response = await client.SendAsync(method, url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{method} {url}: expected {status}, got {(int)response.StatusCode}: {text}");
        var node = JsonNode.Parse(text)!;
        if (schemaOf is { } s) V4Schema.AssertValid(s.Method, s.Url, s.Status, node);
        return node;
    }

    public static List<long> Ids(this JsonNode page, string list) => [.. page[list]!.AsArray().Select(s => s!["id"]!.GetValue<long>())];

    public static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\n     got {actual?.ToJsonString()}");
}
