using System.Net;
using System.Text.Json;
using Mailroom.Client.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

/// <summary>How the client reads what a server sends: extra fields pass, missing or mistyped documented fields fail loudly.</summary>
public sealed class WireFormatClientTests
{
    static ConvertKitClient Answering(HttpStatusCode status, string body) =>
        new(new HttpClient(new FixedAnswerHandler(status, body)), new ConvertKitClientOptions { ApiKey = "k", ApiSecret = "s" });

    [Fact]
    public async Task Read_UnknownFieldsAndOlderTimestampFormat_AreAccepted()
    {
        var kit = Answering(HttpStatusCode.OK, """{"tags":[{"id":1,"name":"A","created_at":"2017-02-28T01:56:05Z","colour":"red"}],"extra":true}""");

        var tags = await kit.ListTagsAsync();

        Assert.Equal([new Tag(1, "A", new DateTimeOffset(2017, 2, 28, 1, 56, 5, TimeSpan.Zero))], tags);
    }

    [Fact]
    public async Task Read_MissingDocumentedField_ThrowsJsonException()
    {
        var kit = Answering(HttpStatusCode.OK, """{"tags":[{"id":1,"created_at":"2024-05-01T10:00:00.000Z"}]}""");

        await Assert.ThrowsAsync<JsonException>(() => kit.ListTagsAsync());
    }

    [Fact]
    public async Task Read_NullWhereTheSpecSaysNever_ThrowsJsonException()
    {
        var kit = Answering(HttpStatusCode.OK, """{"name":null,"plan_type":"free","primary_email_address":"a@b.c"}""");

        await Assert.ThrowsAsync<JsonException>(() => kit.GetAccountAsync());
    }

    [Fact]
    public async Task Read_IdAsString_ThrowsJsonException()
    {
        var kit = Answering(HttpStatusCode.OK, """{"id":"1","name":"A","created_at":"2024-05-01T10:00:00.000Z"}""");

        await Assert.ThrowsAsync<JsonException>(() => kit.CreateTagAsync("A"));
    }

    [Fact]
    public async Task Error_NotKitsEnvelope_KeepsReasonPhraseAndBody()
    {
        var kit = Answering(HttpStatusCode.BadGateway, "<html>bad gateway</html>");

        var e = await kit.ListTagsAsync().AssertFailsAsync(502, "Bad Gateway", "<html>bad gateway</html>");

        Assert.Null(e.RetryAfter);
    }
}
