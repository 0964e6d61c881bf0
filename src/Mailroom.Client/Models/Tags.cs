namespace Mailroom.Client;

/// <summary>A tag: <c>{"id", "name", "created_at"}</c>. Creation answers carry more fields, which are ignored.</summary>
/// <param name="Id">The tag id.</param>
/// <param name="Name">The tag name.</param>
/// <param name="CreatedAt">When the tag was created.</param>
public sealed record Tag(long Id, string Name, DateTimeOffset CreatedAt);
