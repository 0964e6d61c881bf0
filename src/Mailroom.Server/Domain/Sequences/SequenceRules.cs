namespace Mailroom.Server.Domain.Sequences;

/// <summary>
/// What a sequence and its emails may hold, and the one wording of each refusal (Kit's v4 messages where Kit has one,
/// v4 notes §4.1). The CLI, seeds and the v4 API all check through here.
/// </summary>
public static class SequenceRules
{
    public const int MaxNameLength = 255;
    public const int MaxSubjectLength = 255;
    public const int MaxPreviewTextLength = 255;
    // inferred: Kit states no ceiling; ten years keeps every due date far inside DateTime and NodaTime's range.
    public const int MaxDelayDays = 3650;
    public const int MaxDelayHours = MaxDelayDays * 24;

    public const string NameBlank = "name can't be blank";
    public static readonly string NameTooLong = $"name is too long (maximum is {MaxNameLength} characters)";
    public const string SendHourRange = "send_hour must be an integer between 0 and 23";
    public static readonly string SendDaysInvalid = $"send_days must be one of: {SendDays.Valid}";
    public const string TimeZoneInvalid = "time_zone must be a valid IANA timezone string";
    public const string SubjectBlank = "subject can't be blank";
    public static readonly string SubjectTooLong = $"subject is too long (maximum is {MaxSubjectLength} characters)";
    public static readonly string PreviewTextTooLong = $"preview_text is too long (maximum is {MaxPreviewTextLength} characters)";
    public const string DelayUnitInvalid = "delay_unit must be one of: days, hours";
    public static readonly string DelayValueRange = $"delay_value must be between 0 and {MaxDelayDays} days ({MaxDelayHours} hours)";
    public const string OnlyFirstImmediate = "only the first email in a sequence can be sent immediately; later emails need a positive delay_value";
    public const string SendDaysOnHours = "send_days can only be set on emails with delay_unit days";
    public const string PositionNegative = "position must be 0 or greater";
    public const string PositionTaken = "position is already taken by another email in this sequence";
    public const string ExcludeTypeInvalid = "exclude_subscriber_sources type must be one of: tag, sequence, form, segment";
    public const string ExcludeIdsInvalid = "exclude_subscriber_sources ids must be a list of integers";
    public const string EmailTemplateNotFound = "email_template_id does not exist";
    public const string EmailAddressInvalid = "email_address is not a valid email address";
    public static string NotFound(string what, long id) => $"{what} {id} does not exist";
    public static string NotLiquid(string field, string problem) => $"{field} is not a valid Liquid template: {problem}";

    public static string? Name(string? name) =>
        string.IsNullOrWhiteSpace(name) ? NameBlank : name.Trim().Length > MaxNameLength ? NameTooLong : null;

    public static string? PreviewText(string? text) => text is { Length: > MaxPreviewTextLength } ? PreviewTextTooLong : null;

    public static string? ExcludeType(string? type) => type is "tag" or "form" or "sequence" or "segment" ? null : ExcludeTypeInvalid;

    public static string? SendHour(int hour) => hour is < 0 or > 23 ? SendHourRange : null;

    public static string? TimeZone(string? id) => SequenceSchedule.Zone(id) is null ? TimeZoneInvalid : null;

    public static string? Subject(string? subject) =>
        string.IsNullOrWhiteSpace(subject) ? SubjectBlank : subject.Trim().Length > MaxSubjectLength ? SubjectTooLong : null;

    public static string? Delay(int value, string unit) =>
        unit is not (DelayUnits.Days or DelayUnits.Hours) ? DelayUnitInvalid
        : value < 0 || value > (unit == DelayUnits.Days ? MaxDelayDays : MaxDelayHours) ? DelayValueRange
        : null;
}

/// <summary>A refused sequence change, with the rule's message.</summary>
public sealed class SequenceRuleException(string message) : Exception(message);
