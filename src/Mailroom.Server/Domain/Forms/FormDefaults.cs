namespace Mailroom.Server.Domain.Forms;

public static class FormDefaults
{
    public static readonly string[] Formats = ["inline", "modal", "slide in", "sticky bar"];

    public const string SubscribedMessage = "Thanks! You're subscribed.";
    // inferred: Kit's own default success message; with double opt-in the reader is not subscribed until they confirm.
    public const string ConfirmMessage = "Success! Now check your email to confirm your subscription.";

    /// <summary>What the hosted page says after a sign-up when the form has no message of its own.</summary>
    public static string DefaultSuccessMessage(bool doubleOptIn) => doubleOptIn ? ConfirmMessage : SubscribedMessage;

    public static string SuccessMessage(Mailroom.Data.Form form) =>
        string.IsNullOrWhiteSpace(form.SuccessMessage) ? DefaultSuccessMessage(form.DoubleOptIn) : form.SuccessMessage;

    /// <summary>Kit's form uids are 10 lower-case hex characters (e.g. <c>9f1c5e8a2b</c>).</summary>
    public static string NewUid() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
}
