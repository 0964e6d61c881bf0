using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V3;

/// <summary>The only error body Mailroom writes: <c>{"error": ..., "message": ...}</c> (spec §1.5, §8).</summary>
public sealed record ApiError(string Error, string? Message)
{
    // Titles and messages are copied from Kit because clients match on them; keep them here only.
    public const string AuthorizationFailed = "Authorization Failed";
    public const string KeyNotPresent = "API Key not present";
    public const string KeyNotValid = "API Key not valid";
    public const string InsufficientPermissions = "You do not have sufficient permissions to access this resource";
    public const string NotFoundTitle = "Not Found";
    public const string NotFoundMessage = "The entity you were trying to find doesn't exist";
    public const string UnprocessableTitle = "Unprocessable Entity";
    public const string SubscriberErrorTitle = "Error updating subscriber";
    public const string EmailInvalidMessage = "Email address is invalid";
    public const string EmailTakenMessage = "Email address has already been taken";
    public const string MissingParameterTitle = "Missing parameter";
    public const string EmailRequiredMessage = "Subscriber email is required";
    public const string PurchaseMissingTitle = "Your request is missing parameters";
    public const string BroadcastLockedMessage = "Broadcast has already been sent and can't be changed";
    public const string NameBlankMessage = "Name can't be blank";
    public const string NameTakenMessage = "Name has already been taken";
    public const string NameTooLongMessage = "Name is too long (maximum is 255 characters)";
    public const string SubscriberStateMessage = "Subscriber state must be active or cancelled";

    public static JsonHttpResult<ApiError> Unauthorized(string message) => Json(401, AuthorizationFailed, message);
    public static JsonHttpResult<ApiError> NotFound() => Json(404, NotFoundTitle, NotFoundMessage);
    public static JsonHttpResult<ApiError> CourseNotFound() => Json(404, "Course not found", "");
    public static JsonHttpResult<ApiError> TagNotFound() => Json(404, "Tag not found", "");
    public static JsonHttpResult<ApiError> Unprocessable(string message) => Json(422, UnprocessableTitle, message);
    public static JsonHttpResult<ApiError> Unprocessable(IEnumerable<string> messages) => Unprocessable(string.Join(", ", messages));
    public static JsonHttpResult<ApiError> InvalidEmail() => Json(422, SubscriberErrorTitle, EmailInvalidMessage);
    /// <summary>A subscriber value Kit's model would reject (too long a name or field value) on subscribe or update.</summary>
    public static JsonHttpResult<ApiError> SubscriberInvalid(string message) => Json(422, SubscriberErrorTitle, message);
    public static JsonHttpResult<ApiError> EmailRequired() => Json(400, MissingParameterTitle, EmailRequiredMessage);
    public static JsonHttpResult<ApiError> PurchaseInvalid(IEnumerable<string> messages) => Json(400, PurchaseMissingTitle, string.Join(", ", messages));
    public static JsonHttpResult<ApiError> BroadcastLocked() => Unprocessable(BroadcastLockedMessage);
    public static JsonHttpResult<ApiError> EmailTaken() => Unprocessable(EmailTakenMessage);
    // Rails-style full messages for attribute checks: "From is not a valid date", "Label can't be blank".
    public static string InvalidDateMessage(string attribute) => $"{attribute} is not a valid date";
    public static string BlankMessage(string attribute) => $"{attribute} can't be blank";
    public static string TakenMessage(string attribute) => $"{attribute} has already been taken";
    public static string TooLongMessage(string attribute, int max) => $"{attribute} is too long (maximum is {max} characters)";
    public static JsonHttpResult<ApiError> BadRequest(string message) => Json(400, "Bad Request", message);
    public static JsonHttpResult<ApiError> TooManyCustomFields(int limit) => Json(400, "Bad Request", TooManyCustomFieldsMessage(limit));
    public static string TooManyCustomFieldsMessage(int limit) => $"You can only have {limit} custom fields";
    public static JsonHttpResult<ApiError> PayloadTooLarge(long limit) =>
        Json(413, "Payload Too Large", $"Request body must not exceed {limit} bytes");
    public static JsonHttpResult<ApiError> TooManyRequests(int perMinute) =>
        Json(429, "Too Many Requests", $"Rate limit exceeded: {perMinute} requests per 60 seconds");
    public static JsonHttpResult<ApiError> ServerError() => Json(500, "Internal Server Error", "Something went wrong");

    // --- Resource validation (Rails-style full messages, joined by ", " in one 422 or purchase 400) ---
    public const string SortOrderMessage = "Sort order must be asc or desc";
    public const string SortFieldMessage = "Sort field must be created_at or cancelled_at";
    public const string SubscriberStatusMessage = "Status must be active, inactive, cancelled, bounced, complained or all";
    public const string PurchaseBlankMessage = "purchase can't be blank";
    public static string InvalidMessage(string attribute) => $"{attribute} is invalid";
    public static string DoesNotExistMessage(string model) => $"{model} does not exist";
    public static string MustBeGreaterThanZeroMessage(string attribute) => $"{attribute} must be greater than 0";
    public static string ForProductMessage(string message, string product) => $"{message} for product: {product}";
    public static string TargetNotAllowedMessage(string refusal) => $"Target url is not allowed: {refusal}";
    public static string EventNotSupportedMessage(string name) => $"Event name '{name}' is not supported";
    public static string LayoutUnknownMessage(string name) => $"Email layout template '{name}' does not exist";
    public static string NotLiquidMessage(string field, string reason) => $"{field} is not a valid Liquid template: {reason}";
    public static string MustBeObjectOrArray(string name) => $"{name} must be an object or an array of objects";
    public static string MustBeStringOrArray(string name) => $"{name} must be a string or an array of strings";
    public static string MustBeListOfObjects(string name) => $"{name} must be a list of objects";

    // --- Reading parameters (ApiParamsReader, ApiParams): always 400 "Bad Request", except the list cap (422). ---
    public const string BodyNotUtf8Message = "Request body is not valid UTF-8";
    public const string BodyNotObjectMessage = "Request body must be a JSON object";
    public const string NulCharacterMessage = "Request parameters must not contain NUL (U+0000) characters";
    public const string MultipartNotSupportedMessage = "multipart/form-data bodies are not supported; send JSON or form-encoded parameters";
    public const string DuplicatePropertyReason = "duplicate property name";
    public const string JsonUnexpectedReason = "unexpected input";
    public static string JsonPositionReason(long line, long? position) => $"unexpected input at line {line}, position {position}";
    /// <summary>The JSON body could not be read; <paramref name="reason"/> says where, when the reader knows.</summary>
    public static string BodyNotJson(string? reason) =>
        reason is null ? "Request body is not valid JSON" : $"Request body is not valid JSON: {reason}";
    public static string KeyTooDeep(int max) => $"Parameter names may nest at most {max} levels deep";
    public static string KeyTooLong(int max) => $"Parameter names may be at most {max} characters long";
    public static string MustBeString(string name) => $"{name} must be a string";
    public static string MustBeInteger(string name) => $"{name} must be an integer";
    public static string MustBeNumber(string name) => $"{name} must be a number";
    public static string MustBeBoolean(string name) => $"{name} must be true or false";
    public static string MustBeObject(string name) => $"{name} must be an object";
    public static string OutOfRange(string name) => $"{name} is out of range";
    public static string TooManyItems(string name, int max) => $"{name} has too many items (maximum is {max})";

    // Subscriber limits (SubscriberLimits): one message per rule, the same on the API, hosted forms and purchases.
    public const string FirstNameInvalidMessage = "First name is invalid";
    public const string FieldKeyInvalidMessage = "Fields key is invalid";
    public static string FieldValueInvalidMessage(string? key) => $"Fields {key} is invalid";
    public static string SubscriberViolationMessage(SubscriberViolation violation) => violation.Problem switch
    {
        SubscriberProblem.EmailInvalid => EmailInvalidMessage,
        SubscriberProblem.FirstNameTooLong => TooLongMessage("First name", SubscriberLimits.FirstNameMaxLength),
        SubscriberProblem.FirstNameInvalid => FirstNameInvalidMessage,
        SubscriberProblem.FieldValueTooLong => TooLongMessage($"Fields {violation.FieldKey}", SubscriberLimits.FieldValueMaxLength),
        SubscriberProblem.FieldValueInvalid => FieldValueInvalidMessage(violation.FieldKey),
        SubscriberProblem.FieldKeyInvalid => FieldKeyInvalidMessage,
        _ => throw new ArgumentOutOfRangeException(nameof(violation), violation.Problem, "not a violation"),
    };
    /// <summary>Kit's 422 "Error updating subscriber" with the broken limit's message.</summary>
    public static JsonHttpResult<ApiError> SubscriberInvalid(SubscriberViolation violation) => SubscriberInvalid(SubscriberViolationMessage(violation));
    // Hosted forms show these on the form's own page (or in the embed script's JSON).
    public const string HostedFormEmailMissingMessage = "Please enter your email address.";
    public const string HostedFormInvalidCharactersMessage = "What you entered contains a character that can't be used. Please check it.";
    public const string HostedFormTooManyFieldsMessage = "This sign-up carried more than a form can hold. Please use the form on this page.";

    static JsonHttpResult<ApiError> Json(int status, string error, string? message) =>
        TypedResults.Json(new ApiError(error, message), statusCode: status);
}

/// <summary>Thrown by <see cref="ApiParams"/> accessors when a value cannot be read as the type asked for.</summary>
public sealed class ApiParamException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
