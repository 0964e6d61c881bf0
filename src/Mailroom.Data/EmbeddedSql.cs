using System.Reflection;

namespace Mailroom.Data;

/// <summary>
/// SQL that migrations run by hand (the list-count triggers and their backfills) lives in <c>Sql/**/*.sql</c> files
/// embedded in each migrations assembly, so the rules are findable and readable as SQL rather than C# strings.
/// </summary>
public static class EmbeddedSql
{
    /// <param name="path">Relative to the assembly's <c>Sql</c> folder, with <c>/</c>: <c>"ListCounts/backfill.sql"</c>.</param>
    public static string Read(Assembly assembly, string path)
    {
        // The SDK names an embedded file after the project's root namespace and its path, with dots.
        var name = $"{assembly.GetName().Name}.Sql.{path.Replace('/', '.')}";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded SQL '{name}' is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
