using System.Text.Json;
using System.Text.Json.Serialization;
using Mailroom.Bench.Baseline;

// Bare Kestrel answering objects shaped like Mailroom's: the ceiling Mailroom's HTTP figures are divided by.
// No logging, no middleware, no database.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, BaselineJson.Default);
});

var app = builder.Build();
var created = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);
var subscriber = new SubscriberBody(1, "Ada", "ada@example.com", "active", created,
    new Dictionary<string, string?> { ["company"] = "Analytical Engines", ["last_name"] = null });

app.MapGet("/healthz", () => TypedResults.Ok(new Health("ok")));
app.MapGet("/v3/account", () => TypedResults.Ok(new AccountBody("Acme Corp.", "creator", "owner@acme.test")));
app.MapGet("/v3/subscribers/{id:long}", (long id) => TypedResults.Ok(new SubscriberEnvelope(subscriber with { Id = id })));
// Parses the body like a subscribe does and answers a subscription-shaped object.
app.MapPost("/v3/forms/{id:long}/subscribe", (long id, SubscribeBody body) =>
    TypedResults.Ok(new SubscriptionEnvelope(new SubscriptionBody(id, "active", created, "form", id,
        new SubscriberRef(body.Email.Length)))));
// A webhook receiver for the dispatcher's ceiling: takes any JSON body and answers 200.
app.MapPost("/hook", async (HttpRequest request) =>
{
    await request.Body.CopyToAsync(Stream.Null);
    return TypedResults.Ok();
});
app.Run();

namespace Mailroom.Bench.Baseline
{
    sealed record Health(string Status);
    sealed record AccountBody(string Name, string PlanType, string PrimaryEmailAddress);
    sealed record SubscriberBody(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt,
        Dictionary<string, string?> Fields);
    sealed record SubscriberEnvelope(SubscriberBody Subscriber);
    sealed record SubscribeBody(string? ApiKey, string Email, string? FirstName);
    sealed record SubscriberRef(long Id);
    sealed record SubscriptionBody(long Id, string State, DateTime CreatedAt, string SubscribableType, long SubscribableId,
        SubscriberRef Subscriber);
    sealed record SubscriptionEnvelope(SubscriptionBody Subscription);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(Health))]
    [JsonSerializable(typeof(AccountBody))]
    [JsonSerializable(typeof(SubscriberEnvelope))]
    [JsonSerializable(typeof(SubscribeBody))]
    [JsonSerializable(typeof(SubscriptionEnvelope))]
    sealed partial class BaselineJson : JsonSerializerContext;
}
