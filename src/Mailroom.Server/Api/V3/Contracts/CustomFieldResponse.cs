namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>The custom field of list and show responses: <c>{"id","name","key","label"}</c> (spec §2).</summary>
public sealed record CustomFieldResponse(long Id, string Name, string Key, string Label)
{
    public static CustomFieldResponse From(CustomField field) => new(field.Id, field.Name, field.Key, field.Label);
}

/// <summary>
/// The 201 body of <c>POST /v3/custom_fields</c>. Kit's recorded create response (S6 cassette) carried the record's
/// other columns too, with <c>kind</c> and <c>value</c> always null; clients built against it may read them.
/// </summary>
public sealed record CreatedCustomFieldResponse(long Id, string Name, string Key, string Label, long AccountId,
    DateTime CreatedAt, DateTime UpdatedAt, string? Kind, string? Value)
{
    public static CreatedCustomFieldResponse From(CustomField field) =>
        new(field.Id, field.Name, field.Key, field.Label, field.AccountId, field.CreatedAt, field.UpdatedAt, null, null);
}
