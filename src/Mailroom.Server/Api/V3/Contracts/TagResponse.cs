namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>The tag object of list and subscriber-tag responses: <c>{"id","name","created_at"}</c>.</summary>
public sealed record TagResponse(long Id, string Name, DateTime CreatedAt)
{
    public static TagResponse From(Tag tag) => new(tag.Id, tag.Name, tag.CreatedAt);
}
