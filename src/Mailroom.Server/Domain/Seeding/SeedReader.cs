using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mailroom.Server.Domain.Seeding;

/// <summary>What is wrong with a seed file, and where: <c>accounts[0].subscribers[2].tags[1]: unknown tag "X"</c>.</summary>
public sealed class SeedException(string message) : Exception(message)
{
    public static SeedException At(string path, string problem) => new($"{path}: {problem}");
}

/// <summary>Reads a seed file's JSON into <see cref="SeedFile"/>, turning serializer failures into one-line, path-named errors.</summary>
public static class SeedReader
{
    public const int CurrentVersion = 1;
    const string OwnMarker = "seed: ";

    /// <summary>A converter's own problem, reported as written instead of as "cannot be read".</summary>
    internal static string Own(string problem) => OwnMarker + problem;
    const string NotAnObject = "the file must be a JSON object with an \"accounts\" array";

    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Unknown properties are errors, not silently dropped: a file written for a newer Mailroom (or with
        // a typo such as "tag" for "tags") must not import with data quietly missing.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        MaxDepth = 16,
    };

    public static SeedFile Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) throw new SeedException("the file is empty");
        SeedFile? file;
        try
        {
            file = JsonSerializer.Deserialize<SeedFile>(json, Options);
        }
        catch (JsonException e)
        {
            throw Describe(e);
        }
        if (file is null) throw new SeedException(NotAnObject);
        if (file.Version is { } v && v != CurrentVersion)
            throw SeedException.At("version", $"unsupported version {v} (this Mailroom reads version {CurrentVersion})");
        if (file.Accounts is null) throw SeedException.At("accounts", "is required");
        return file;
    }

    static SeedException Describe(JsonException e)
    {
        var where = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        var path = e.Path is null or "$" ? "" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        // Syntax errors carry the reader's own message; the path is only approximate there, the line is exact.
        if (e.InnerException is not null && e.InnerException.GetType().Name == "JsonReaderException")
            return new SeedException($"invalid JSON at {where}: {ReaderMessage(e.Message)}");
        var message = e.Message;
        string problem;
        if (message.StartsWith(OwnMarker, StringComparison.Ordinal))
            problem = message[OwnMarker.Length..];
        else if (message.Contains("could not be mapped", StringComparison.Ordinal))
            problem = "unknown property";
        else if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
            problem = "appears twice";
        else if (message.Contains("could not be converted to ", StringComparison.Ordinal))
            problem = $"must be {Expected(message)}";
        else if (message.Contains("maximum configured depth", StringComparison.Ordinal))
            problem = "is nested too deeply";
        else
            problem = "cannot be read";
        if (path.Length == 0) return new SeedException($"{NotAnObject} ({where})");
        return new SeedException($"{path}: {problem} ({where})");
    }

    // "… could not be converted to System.Nullable`1[System.Boolean]. Path: …" → what the file should hold.
    static string Expected(string message)
    {
        var type = message[(message.IndexOf("could not be converted to ", StringComparison.Ordinal) + 26)..];
        if (type.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal)) return "an array";
        if (type.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal)) return "an object of strings";
        if (type.StartsWith("System.String", StringComparison.Ordinal)) return "a string";
        if (type.Contains("System.Boolean", StringComparison.Ordinal)) return "true or false";
        if (type.Contains("System.Int32", StringComparison.Ordinal) || type.Contains("System.Int64", StringComparison.Ordinal)) return "a whole number";
        if (type.Contains("System.Decimal", StringComparison.Ordinal)) return "a number";
        return "an object";
    }

    // The reader's text ends with " Path: $… | LineNumber: … | BytePositionInLine: …." which we already report.
    static string ReaderMessage(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        var text = cut < 0 ? message : message[..cut];
        // Advice meant for the programmer configuring the reader, not for whoever wrote the file.
        return text.Replace(" Change the reader options.", "", StringComparison.Ordinal).TrimEnd('.');
    }
}
