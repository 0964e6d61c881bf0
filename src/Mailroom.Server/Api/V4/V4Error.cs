namespace Mailroom.Server.Api.V4;

/// <summary>
/// The only error body /v4 writes: <c>{"errors": ["..."]}</c> (v4 notes §3.4). Every message Kit's document
/// shows lives here, copied exactly (clients match on them; note the casing differences between resources).
/// </summary>
public sealed record V4Error(IReadOnlyList<string> Errors)
{
    public const string AccessTokenInvalid = "The access token is invalid";
    public const string NotFoundMessage = "Not Found";
    public const string InsufficientPermissions = "You do not have sufficient permissions to access this resource. Please contact support.";
    public const string BulkQueueFull = "This request exceeds your queued bulk requests limit. Please wait while we process your existing requests and try again later.";
    public const string EmailTemplateNotFound = "Email template not found";
    public const string SingleFilterGroup = "Only a single filter group is supported. Use one of `all`, `any`, or `none`.";
    public const string BroadcastAlreadySending = "Broadcast is already sending.";
    public const string NoCustomFields = "No custom fields included for processing";
    public const string NoCustomFieldValues = "No custom field values included for processing";
    public const string NoAdditions = "No additions included for processing";
    public const string SubscriberLimit = "This request would exceed your subscriber limit";
    public const string NoSubscribers = "No subscribers included for processing";
    public const string NoTags = "No tags included for processing";
    public const string NoTaggings = "No taggings included for processing";
    public const string LabelBlank = "Label can't be blank";
    public const string CustomFieldNotDestroyed = "Unable to destroy the custom field.";
    public const string FormSubscriberRequired = "Either subscriber id or email address is required to add subscriber to form";
    public const string TransactionBlank = "Transaction cannot be blank";
    public const string SendHourInvalid = "send_hour must be an integer between 0 and 23";
    public const string NameBlankLower = "name can't be blank";
    public const string SubjectBlank = "subject can't be blank";
    public const string DelayUnitInvalid = "delay_unit must be one of: days, hours";
    public const string SequenceInactive = "Sequence is inactive";
    public const string SnippetTypeFixed = "snippet_type cannot be changed";
    public const string CancelledSortNeedsStatus = "The status param must be `cancelled` if sort_field is `cancelled_at`";
    public const string EmailInvalid = "Email address is invalid";
    public const string EmailTaken = "Email address has already been taken";
    public const string NameBlank = "Name can't be blank";
    public const string TagSubscriberRequired = "Either subscriber id or email address is required to tag subscriber";
    public const string UntagSubscriberRequired = "Either subscriber id or email address is required to remove tag from subscriber";
    public const string WebhookParamsRequired = "`event` and `target` parameters must be provided";
    public const string WebhookNotDestroyed = "Unable to destroy the webhook.";
    public const string StartingDateFormat = "Starting date is incorrectly formatted. Use YYYY-MM-DD.";
    public const string EndingDateFormat = "Ending date is incorrectly formatted. Use YYYY-MM-DD.";
    public const string StartingAfterEnding = "Starting date must be before the ending date.";
    public static string InvalidColor(string color) => $"Colors {color} is not a valid hex color code.";
    // Bulk per-item failures (v4 notes §4.2).
    public const string SubscriberDoesNotExist = "Subscriber does not exist";
    public const string CustomFieldDoesNotExist = "Custom field does not exist";
    public const string FormDoesNotExist = "Form does not exist";
    public const string TagDoesNotExist = "Tag does not exist";

    // inferred: the document shows no message for these; worded like Kit's others.
    public const string CursorsBoth = "Use either `after` or `before`, not both";
    public static string CursorInvalid(string name) => $"`{name}` is not a valid cursor";
    public static string PerPageInvalid(int max) => $"per_page must be an integer between 1 and {max}";
    public const string TooManyRequests = "Rate limit exceeded. Please wait and try again.";
    public static string PayloadTooLarge(long limit) => $"Request body must not exceed {limit} bytes";
    public const string ServerErrorMessage = "Something went wrong";

    public static JsonHttpResult<V4Error> Unauthorized() => Json(401, AccessTokenInvalid);
    public static JsonHttpResult<V4Error> Forbidden() => Json(403, InsufficientPermissions);
    public static JsonHttpResult<V4Error> NotFound() => Json(404, NotFoundMessage);
    public static JsonHttpResult<V4Error> Unprocessable(params string[] messages) => Json(422, messages);
    public static JsonHttpResult<V4Error> Unprocessable(IEnumerable<string> messages) => Json(422, [.. messages]);
    public static JsonHttpResult<V4Error> BadRequest(string message) => Json(400, message);
    public static JsonHttpResult<V4Error> BulkQueueFullResult() => Json(413, BulkQueueFull);
    public static JsonHttpResult<V4Error> TooLarge(long limit) => Json(413, PayloadTooLarge(limit));
    public static JsonHttpResult<V4Error> RateLimited() => Json(429, TooManyRequests);
    public static JsonHttpResult<V4Error> ServerError() => Json(500, ServerErrorMessage);

    public static JsonHttpResult<V4Error> Json(int status, params string[] messages) =>
        TypedResults.Json(new V4Error(messages), V4Json.Options, statusCode: status);
}
