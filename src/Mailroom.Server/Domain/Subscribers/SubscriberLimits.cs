namespace Mailroom.Server.Domain.Subscribers;

/// <summary>What a subscriber value breaks, if anything; <see cref="SubscriberLimits"/> decides.</summary>
public enum SubscriberProblem
{
    None,
    EmailInvalid,
    FirstNameTooLong,
    FirstNameInvalid,
    FieldValueTooLong,
    FieldValueInvalid,
    FieldKeyInvalid,
}

/// <summary>A broken limit, with the custom field key it concerns (for field problems).</summary>
public readonly record struct SubscriberViolation(SubscriberProblem Problem, string? FieldKey = null)
{
    public static readonly SubscriberViolation None = new(SubscriberProblem.None);
    public bool IsNone => Problem == SubscriberProblem.None;
}

/// <summary>
/// The limits on what a subscriber may hold, in one place for every path that writes one: v3 subscribe (forms,
/// sequences, tags), <c>PUT /v3/subscribers/{id}</c>, purchases, hosted forms and seed files. Checked on the input as
/// sent, before custom field keys are matched to the account's fields, so a value is refused or accepted the same way
/// on every path whether or not its key exists (unknown keys are then ignored, spec §4.3).
/// </summary>
public static class SubscriberLimits
{
    // Kit's column limits (its messages say so); the schema has the same.
    public const int FirstNameMaxLength = 255;
    public const int FieldValueMaxLength = 2000;

    public static SubscriberViolation CheckEmail(string email) =>
        EmailAddress.IsValid(email) ? SubscriberViolation.None : new(SubscriberProblem.EmailInvalid);

    public static SubscriberViolation CheckFirstName(string? firstName)
    {
        if (firstName is null) return SubscriberViolation.None;
        if (firstName.Length > FirstNameMaxLength) return new(SubscriberProblem.FirstNameTooLong);
        // inferred: a name is one line, so no control character at all; bidi marks stay allowed, because names in
        // right-to-left scripts legitimately carry them.
        return HasControl(firstName, allowLineBreaks: false) ? new(SubscriberProblem.FirstNameInvalid) : SubscriberViolation.None;
    }

    public static SubscriberViolation CheckFields(IEnumerable<KeyValuePair<string, string?>>? fields)
    {
        foreach (var (key, value) in fields ?? [])
        {
            // A key is matched against the account's keys in SQL; PostgreSQL refuses NUL in any text, even a parameter.
            if (HasControl(key, allowLineBreaks: false)) return new(SubscriberProblem.FieldKeyInvalid);
            if (value is null) continue;
            if (value.Length > FieldValueMaxLength) return new(SubscriberProblem.FieldValueTooLong, key);
            // inferred: a field value may span lines (an address, a note), so tab, CR and LF stay; NUL and the other
            // controls are never text a person typed, and PostgreSQL cannot store NUL.
            if (HasControl(value, allowLineBreaks: true)) return new(SubscriberProblem.FieldValueInvalid, key);
        }
        return SubscriberViolation.None;
    }

    /// <summary>The first broken limit among the values a write carries, in the order Kit reports them.</summary>
    public static SubscriberViolation Check(string? email, string? firstName, IEnumerable<KeyValuePair<string, string?>>? fields)
    {
        var violation = email is null ? SubscriberViolation.None : CheckEmail(email);
        if (violation.IsNone) violation = CheckFirstName(firstName);
        if (violation.IsNone) violation = CheckFields(fields);
        return violation;
    }

    static bool HasControl(string text, bool allowLineBreaks)
    {
        foreach (var c in text)
            if (char.IsControl(c) && !(allowLineBreaks && c is '\t' or '\n' or '\r')) return true;
        return false;
    }
}
