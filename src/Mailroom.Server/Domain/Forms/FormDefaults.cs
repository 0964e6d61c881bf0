namespace Mailroom.Server.Domain.Forms;

public static class FormDefaults
{
    public static readonly string[] Formats = ["inline", "modal", "slide in", "sticky bar"];

    /// <summary>Kit's form uids are 10 lower-case hex characters (e.g. <c>9f1c5e8a2b</c>).</summary>
    public static string NewUid() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
}
