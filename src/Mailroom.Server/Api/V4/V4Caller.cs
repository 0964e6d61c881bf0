namespace Mailroom.Server.Api.V4;

public enum V4CredentialKind { ApiKey, OAuth }

/// <summary>
/// The authenticated account of a /v4 request and the credential that proved it. <see cref="CredentialId"/> keys the
/// rate limit (an API key's row id, or the OAuth authorization's); <see cref="CanWrite"/> is false for an OAuth token
/// granted only the <c>read</c> scope.
/// </summary>
public sealed record V4Caller(long AccountId, V4CredentialKind Kind, long CredentialId, bool CanWrite)
{
    internal const string ItemKey = "mailroom.v4caller";

    public static ValueTask<V4Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<V4Caller?>(context.Items[ItemKey] as V4Caller
            ?? throw new InvalidOperationException("A /v4 handler ran without an authenticated caller."));
}

/// <summary>Endpoint metadata: the operation accepts only OAuth tokens (the document's <c>security: [OAuth2]</c>).</summary>
public sealed class OAuthOnlyAttribute : Attribute;

/// <summary>Endpoint metadata: the /v4 route answers without credentials (the not-found fallback, the OAuth endpoints).</summary>
public sealed class AnonymousV4Attribute : Attribute;

public static class V4EndpointExtensions
{
    public static TBuilder OAuthOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OAuthOnlyAttribute());
}

public static class V4ErrorMetadata
{
    /// <summary>Declares the operation's documented error statuses, each with the <c>{"errors": [...]}</c> body.</summary>
    public static RouteHandlerBuilder V4Errors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.Produces<V4Error>(status);
        return builder;
    }
}
