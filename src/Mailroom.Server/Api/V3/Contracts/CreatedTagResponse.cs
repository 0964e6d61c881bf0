namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>
/// The tag object of <c>POST /v3/tags</c>. Kit's docs show the create response with <c>account_id</c>, <c>state</c>,
/// <c>updated_at</c> and <c>deleted_at</c> beyond the three core fields while 2022 captures show only the core;
/// we emit the union (spec §2), since clients that read the core fields ignore the rest. Tags cannot be deleted in
/// v3, so <c>state</c> is always "available" and <c>deleted_at</c> always null.
/// </summary>
public sealed record CreatedTagResponse(long Id, string Name, DateTime CreatedAt, long AccountId, string State,
    DateTime UpdatedAt, DateTime? DeletedAt)
{
    public static CreatedTagResponse From(Tag tag) =>
        new(tag.Id, tag.Name, tag.CreatedAt, tag.AccountId, "available", tag.UpdatedAt, null);
}
