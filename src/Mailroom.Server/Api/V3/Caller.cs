namespace Mailroom.Server.Api.V3;

/// <summary>The authenticated account of a /v3 request and whether the secret was used.</summary>
public sealed record Caller(long AccountId, bool UsedSecret)
{
    internal const string ItemKey = "mailroom.caller";

    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<Caller?>(context.Items[ItemKey] as Caller
            ?? throw new InvalidOperationException("A /v3 handler ran without an authenticated caller."));
}

/// <summary>Endpoint metadata: the route needs the api_secret, an api_key alone is refused (spec §1.2).</summary>
public sealed class SecretRequiredAttribute : Attribute;

/// <summary>Endpoint metadata: the route answers without credentials (the /v3 not-found fallback).</summary>
public sealed class AnonymousV3Attribute : Attribute;

public static class SecretRequiredExtensions
{
    public static TBuilder RequireSecret<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SecretRequiredAttribute());
}
