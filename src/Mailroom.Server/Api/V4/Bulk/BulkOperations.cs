using Mailroom.Server.Api.V4;

namespace Mailroom.Server.Api.V4.Bulk;

/// <summary>One v4 bulk operation: the name a job stores, the body's list and Kit's 422 when the list is empty.</summary>
public sealed record BulkOperation(string Name, string ItemsKey, string EmptyMessage);

/// <summary>The seven v4 bulk operations (v4 notes §3.5) and the rules they share.</summary>
public static class BulkOperations
{
    /// <summary>Kit applies 100 items or fewer while the caller waits (200) and queues more (202).</summary>
    public const int SyncLimit = 100;

    public static readonly BulkOperation Subscribers = new("subscribers", "subscribers", V4Error.NoSubscribers);
    public static readonly BulkOperation Tags = new("tags", "tags", V4Error.NoTags);
    public static readonly BulkOperation Taggings = new("tags/subscribers", "taggings", V4Error.NoTaggings);
    public static readonly BulkOperation Untaggings = new("tags/subscribers:delete", "taggings", V4Error.NoTaggings);
    public static readonly BulkOperation CustomFields = new("custom_fields", "custom_fields", V4Error.NoCustomFields);
    public static readonly BulkOperation FieldValues = new("custom_fields/subscribers", "custom_field_values", V4Error.NoCustomFieldValues);
    public static readonly BulkOperation FormAdditions = new("forms/subscribers", "additions", V4Error.NoAdditions);

    public static readonly IReadOnlyList<BulkOperation> All = [Subscribers, Tags, Taggings, Untaggings, CustomFields, FieldValues, FormAdditions];

    public static BulkOperation? Find(string name) => All.FirstOrDefault(o => o.Name == name);
}
