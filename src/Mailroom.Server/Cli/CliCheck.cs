namespace Mailroom.Server.Cli;

/// <summary>Argument checks shared by the admin commands; each failure is a <see cref="CliException"/>.</summary>
static class CliCheck
{
    /// <summary>A required name, trimmed. 255 is the column limit, which Postgres enforces and SQLite does not.</summary>
    public static string Name(string? value, string option)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0) throw new CliException($"{option} must not be blank");
        if (trimmed.Length > 255) throw new CliException($"{option} is longer than 255 characters");
        return trimmed;
    }
}
