using NodaTime;
using NodaTime.TimeZones;

namespace Mailroom.Server.Domain.Sequences;

/// <summary>A sequence's schedule, resolved: its send days, send hour and zone.</summary>
public sealed record SequenceTimes(int SendDays, int SendHour, DateTimeZone Zone);

/// <summary>An email's timing: its delay and, for day delays, its own send days (null inherits the sequence's).</summary>
public sealed record EmailTiming(int DelayValue, string DelayUnit, int? SendDays);

/// <summary>
/// When a sequence email falls due (Kit's rules, v4 notes §5.2):
/// <list type="bullet">
/// <item>an hour delay: that many hours after the previous step, whatever the day;</item>
/// <item>zero days (only the first email may have it): at once;</item>
/// <item>a day delay: that many calendar days after the previous step's date in the sequence's zone, then the first
/// allowed send day from there, at the send hour.</item>
/// </list>
/// Local times are resolved in the zone with NodaTime's embedded tz database, so every machine agrees and a
/// daylight-saving change never moves the send hour: 09:00 stays 09:00 local on both sides of it. A send hour inside a
/// spring-forward gap goes out at the first instant after the gap; in a fall-back overlap, at the first of the two.
/// </summary>
public static class SequenceSchedule
{
    public static DateTime DueAt(DateTime anchorUtc, EmailTiming email, SequenceTimes times)
    {
        var anchor = Instant.FromDateTimeUtc(DateTime.SpecifyKind(anchorUtc, DateTimeKind.Utc));
        if (email.DelayUnit == DelayUnits.Hours) return anchor.Plus(Duration.FromHours(email.DelayValue)).ToDateTimeUtc();
        if (email.DelayValue <= 0) return anchorUtc;
        var days = email.SendDays ?? times.SendDays;
        if (days == 0) days = SendDays.All;
        var date = anchor.InZone(times.Zone).Date.PlusDays(email.DelayValue);
        while (!SendDays.Allows(days, date.DayOfWeek)) date = date.PlusDays(1);
        var local = date.At(new LocalTime(times.SendHour, 0));
        return times.Zone.ResolveLocal(local, Resolvers.LenientResolver).ToInstant().ToDateTimeUtc();
    }

    /// <summary>The zone of this IANA id from the embedded database, or null for an unknown id.</summary>
    public static DateTimeZone? Zone(string? id) => string.IsNullOrWhiteSpace(id) ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id.Trim());
}
