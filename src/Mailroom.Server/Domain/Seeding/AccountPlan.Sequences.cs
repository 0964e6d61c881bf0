using System.Text.Json;
using Mailroom.Server.Domain.Broadcasts;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Domain.Seeding;

/// <summary>A sequence email and the layout it names, whose id is known once the layouts are saved.</summary>
sealed record PlannedSequenceEmail(Sequence Sequence, SequenceEmail Email, EmailLayout? Layout);

/// <summary>A sequence's layout and excluded sources, which become ids once everything they name is saved.</summary>
sealed record PlannedSequenceLinks(Sequence Sequence, EmailLayout? Layout, List<(string Type, List<Func<long>> Ids)> Excluded);

/// <summary>Email layouts, sequences and their emails, checked with the rules every other caller uses (SequenceRules).</summary>
sealed partial class AccountPlan
{
    public Dictionary<string, EmailLayout> Layouts { get; } = new(StringComparer.Ordinal);
    public List<PlannedSequenceLinks> SequenceLinks { get; } = [];
    public List<PlannedSequenceEmail> SequenceEmails { get; } = [];

    /// <summary>An IANA zone's id in the bundled tz database; null stays null.</summary>
    static string? Zone(string? value, string path)
    {
        if (value is null) return null;
        return SequenceSchedule.Zone(value)?.Id ?? throw SeedException.At(path, SequenceRules.TimeZoneInvalid);
    }

    void AddLayouts(List<SeedEmailLayout?>? layouts)
    {
        foreach (var (source, path) in SeedCheck.Entries(layouts, $"{Path}.email_layouts"))
        {
            var name = SeedCheck.Required(source.Name, $"{path}.name", EmailLayouts.MaxNameLength);
            if (EmailLayouts.IsTextOnly(name)) throw SeedException.At($"{path}.name", $"\"{EmailLayouts.TextOnly}\" is the built-in layout; choose another name");
            // Broadcasts find a layout by name ignoring case, so names must differ by more than case.
            if (Layouts.Keys.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
                throw SeedException.At($"{path}.name", $"layout \"{name}\" is listed twice");
            var html = source.Html ?? throw SeedException.At($"{path}.html", "is required");
            if (EmailLayouts.HtmlProblems(html).FirstOrDefault() is { } problem) throw SeedException.At($"{path}.html", problem);
            Layouts[name] = new EmailLayout { Name = name, Html = html, CreatedAt = _now };
        }
    }

    void AddSequences(List<SeedSequence?>? sequences)
    {
        var entries = SeedCheck.Entries(sequences, $"{Path}.sequences").ToList();
        foreach (var (source, path) in entries)
        {
            var name = SeedCheck.Required(source.Name, $"{path}.name");
            if (Sequences.ContainsKey(name)) throw SeedException.At($"{path}.name", $"sequence \"{name}\" is listed twice");
            var sequence = new Sequence
            {
                Name = name, Hold = source.Hold ?? false, Repeat = source.Repeat ?? false, Active = source.Active ?? true,
                SendDays = source.SendDays is null ? SendDays.All : Days(source.SendDays, $"{path}.send_days"),
                SendHour = source.SendHour ?? 9,
                TimeZone = Zone(source.TimeZone, $"{path}.time_zone"),
                EmailAddress = SeedCheck.OptionalEmail(source.EmailAddress, $"{path}.email_address"),
                CreatedAt = _now, UpdatedAt = _now,
            };
            if (SequenceRules.SendHour(sequence.SendHour) is { } hour) throw SeedException.At($"{path}.send_hour", hour);
            Sequences[name] = sequence;
        }
        // Exclusions may name any sequence of the file, later ones too, so they are read once every sequence is known.
        foreach (var (source, path) in entries)
        {
            var sequence = Sequences[source.Name!.Trim()];
            var layout = LayoutNamed(source.EmailTemplate, $"{path}.email_template");
            SequenceLinks.Add(new PlannedSequenceLinks(sequence, layout, Exclusions(source.ExcludeSubscriberSources, $"{path}.exclude_subscriber_sources")));
            AddSequenceEmails(sequence, source.Emails, $"{path}.emails");
        }
    }

    List<(string, List<Func<long>>)> Exclusions(List<SeedExcludedSource?>? sources, string listPath)
    {
        var result = new List<(string, List<Func<long>>)>();
        foreach (var (source, path) in SeedCheck.Entries(sources, listPath))
        {
            var type = SeedCheck.Required(source.Type, $"{path}.type");
            if (SequenceRules.ExcludeType(type) is { } problem) throw SeedException.At($"{path}.type", problem);
            var ids = new List<Func<long>>();
            foreach (var id in source.Ids ?? [])
                ids.Add(id > 0 ? () => id : throw SeedException.At($"{path}.ids", "must hold ids of 1 or more"));
            ids.AddRange(type switch
            {
                "tag" => SeedCheck.References(source.Names, $"{path}.names", Tags, "tag").Select(r => (Func<long>)(() => r.Target.Id)),
                "form" => SeedCheck.References(source.Names, $"{path}.names", Forms, "form").Select(r => (Func<long>)(() => r.Target.Id)),
                "sequence" => SeedCheck.References(source.Names, $"{path}.names", Sequences, "sequence").Select(r => (Func<long>)(() => r.Target.Id)),
                // inferred: Mailroom has no segments, so a segment can only be given by the id it had elsewhere.
                _ => source.Names is null ? [] : throw SeedException.At($"{path}.names", "segments are given by ids"),
            });
            if (ids.Count == 0) throw SeedException.At(path, "needs names or ids");
            result.Add((type, ids));
        }
        return result;
    }

    void AddSequenceEmails(Sequence sequence, List<SeedSequenceEmail?>? emails, string listPath)
    {
        var planned = new List<(SequenceEmail Email, string Path)>();
        foreach (var (source, path) in SeedCheck.Entries(emails, listPath))
        {
            if (SequenceRules.Subject(source.Subject) is { } subject) throw SeedException.At($"{path}.subject", subject);
            if (LiquidTemplates.Problem(source.Subject) is { } subjectLiquid) throw SeedException.At($"{path}.subject", SequenceRules.NotLiquid("subject", subjectLiquid));
            if (SequenceRules.PreviewText(source.PreviewText) is { } preview) throw SeedException.At($"{path}.preview_text", preview);
            if (LiquidTemplates.Problem(source.Content) is { } contentLiquid) throw SeedException.At($"{path}.content", SequenceRules.NotLiquid("content", contentLiquid));
            // inferred: as on the CLI, an email without a delay goes out at once (days) — only the first may.
            var unit = source.DelayUnit ?? DelayUnits.Days;
            var value = source.DelayValue ?? 0;
            if (SequenceRules.Delay(value, unit) is { } delay)
                throw SeedException.At(delay == SequenceRules.DelayUnitInvalid ? $"{path}.delay_unit" : $"{path}.delay_value", delay);
            int? days = null;
            if (source.SendDays is not null)
            {
                if (unit == DelayUnits.Hours) throw SeedException.At($"{path}.send_days", SequenceRules.SendDaysOnHours);
                days = Days(source.SendDays, $"{path}.send_days");
            }
            var position = source.Position ?? (planned.Count == 0 ? 0 : planned.Max(p => p.Email.Position) + 1);
            if (position < 0) throw SeedException.At($"{path}.position", SequenceRules.PositionNegative);
            if (planned.Any(p => p.Email.Position == position)) throw SeedException.At($"{path}.position", SequenceRules.PositionTaken);
            var email = new SequenceEmail
            {
                Subject = source.Subject!.Trim(), PreviewText = source.PreviewText, Content = source.Content,
                DelayValue = value, DelayUnit = unit, SendDays = days, Published = source.Published ?? false, Position = position,
                CreatedAt = _now, UpdatedAt = _now,
            };
            planned.Add((email, path));
            SequenceEmails.Add(new PlannedSequenceEmail(sequence, email, LayoutNamed(source.EmailTemplate, $"{path}.email_template")));
        }
        // Only the first email may go out at once: drafts count too, as in SequenceEditor.
        foreach (var (email, path) in planned.OrderBy(p => p.Email.Position).Skip(1))
            if (email.DelayValue == 0) throw SeedException.At($"{path}.delay_value", SequenceRules.OnlyFirstImmediate);
    }

    static int Days(List<string?> names, string path) =>
        SendDays.Parse(names) ?? throw SeedException.At(path, SequenceRules.SendDaysInvalid);

    /// <summary>A layout of this account's <c>email_layouts</c>; the built-in text-only one (or none) is null.</summary>
    EmailLayout? LayoutNamed(string? name, string path)
    {
        if (string.IsNullOrWhiteSpace(name) || EmailLayouts.IsTextOnly(name)) return null;
        return Layouts.GetValueOrDefault(name.Trim()) ?? throw SeedException.At(path, $"unknown layout \"{name.Trim()}\"");
    }

    /// <summary>exclude_subscriber_sources as SequenceEditor stores it, once every name has its id.</summary>
    internal static string ExclusionJson(PlannedSequenceLinks links) =>
        JsonSerializer.Serialize(links.Excluded.Select(x => new { type = x.Type, ids = x.Ids.Select(id => id()).Distinct().Order().ToList() }));
}
