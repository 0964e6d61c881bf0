using Mailroom.Data;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Tests.Domain;

/// <summary>When a sequence email falls due (Kit's rules, v4 notes §5.2), in the embedded tz database.</summary>
public sealed class SequenceScheduleTests
{
    static readonly int MonWedFri = SendDays.Parse(["mon", "wed", "fri"])!.Value;
    static readonly SequenceTimes NewYork9 = new(MonWedFri, 9, SequenceSchedule.Zone("America/New_York")!);
    static readonly SequenceTimes UtcEveryDay9 = new(SendDays.All, 9, SequenceSchedule.Zone("UTC")!);

    static DateTime Utc(string iso) => DateTime.Parse(iso, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    static DateTime Due(string anchor, int value, string unit, SequenceTimes times, int? days = null) =>
        SequenceSchedule.DueAt(Utc(anchor), new EmailTiming(value, unit, days), times);

    [Fact]
    public void ZeroDays_IsDueAtOnce_WhateverTheDayAndHour()
    {
        // 2027-03-07 is a Sunday, 23:59 in New York: not a send day, not the send hour.
        Assert.Equal(Utc("2027-03-08T04:59:30Z"), Due("2027-03-08T04:59:30Z", 0, DelayUnits.Days, NewYork9));
    }

    [Fact]
    public void DayDelay_LandsOnTheNextAllowedDay_AtTheSendHour()
    {
        // Monday 2027-03-01 10:00 EST + 1 day = Tuesday, not allowed → Wednesday 09:00 EST (14:00Z).
        Assert.Equal(Utc("2027-03-03T14:00:00Z"), Due("2027-03-01T15:00:00Z", 1, DelayUnits.Days, NewYork9));
        // Friday + 1 day = Saturday → Monday.
        Assert.Equal(Utc("2027-03-08T14:00:00Z"), Due("2027-03-05T15:00:00Z", 1, DelayUnits.Days, NewYork9));
        // The calendar day counts in the sequence's zone: 02:00Z Tuesday is still Monday evening in New York, so
        // +2 days is Wednesday, an allowed day.
        Assert.Equal(Utc("2027-03-03T14:00:00Z"), Due("2027-03-02T02:00:00Z", 2, DelayUnits.Days, NewYork9));
        // Early on an allowed day: the delay still counts whole days, never the same day.
        Assert.Equal(Utc("2027-03-03T14:00:00Z"), Due("2027-03-01T11:00:00Z", 2, DelayUnits.Days, NewYork9));
    }

    [Fact]
    public void HourDelay_IgnoresSendDaysAndHour_AndCrossesDays()
    {
        // Friday 22:00 EST + 5 hours = Saturday 03:00 EST, though Saturday is not a send day.
        Assert.Equal(Utc("2027-03-06T08:00:00Z"), Due("2027-03-06T03:00:00Z", 5, DelayUnits.Hours, NewYork9));
        Assert.Equal(Utc("2027-03-10T03:00:00Z"), Due("2027-03-06T03:00:00Z", 96, DelayUnits.Hours, NewYork9));
        // An hour delay is elapsed time: across spring-forward, 24 hours is 01:00 the next local day.
        Assert.Equal(Utc("2027-03-15T05:00:00Z"), Due("2027-03-14T05:00:00Z", 24, DelayUnits.Hours, NewYork9));
    }

    [Fact]
    public void EmailSendDays_OverrideTheSequences()
    {
        var saturday = SendDays.Parse(["saturday"])!.Value;
        // Monday + 1 day: Tuesday; the email may only go on Saturday.
        Assert.Equal(Utc("2027-03-06T14:00:00Z"), Due("2027-03-01T15:00:00Z", 1, DelayUnits.Days, NewYork9, saturday));
        // Without the override, the sequence's Mon/Wed/Fri.
        Assert.Equal(Utc("2027-03-03T14:00:00Z"), Due("2027-03-01T15:00:00Z", 1, DelayUnits.Days, NewYork9));
    }

    [Fact]
    public void NineInNewYork_StaysNineLocal_AcrossSpringForward()
    {
        // Friday 2027-03-12 (EST, UTC-5) → Monday 2027-03-15 (EDT, UTC-4): 09:00 local both times.
        Assert.Equal(Utc("2027-03-12T14:00:00Z"), Due("2027-03-10T15:00:00Z", 2, DelayUnits.Days, NewYork9));
        Assert.Equal(Utc("2027-03-15T13:00:00Z"), Due("2027-03-12T14:00:00Z", 1, DelayUnits.Days, NewYork9));
    }

    [Fact]
    public void NineInNewYork_StaysNineLocal_AcrossFallBack()
    {
        // Friday 2027-11-05 (EDT) → Monday 2027-11-08 (EST).
        Assert.Equal(Utc("2027-11-05T13:00:00Z"), Due("2027-11-03T13:00:00Z", 2, DelayUnits.Days, NewYork9));
        Assert.Equal(Utc("2027-11-08T14:00:00Z"), Due("2027-11-05T13:00:00Z", 1, DelayUnits.Days, NewYork9));
    }

    [Fact]
    public void SendHourInTheSpringForwardGap_GoesOutAtTheEndOfTheGap()
    {
        var twoAm = new SequenceTimes(SendDays.All, 2, SequenceSchedule.Zone("America/New_York")!);
        // 02:00 on 2027-03-14 does not exist in New York: 03:00 EDT (07:00Z), once.
        Assert.Equal(Utc("2027-03-14T07:00:00Z"), Due("2027-03-13T12:00:00Z", 1, DelayUnits.Days, twoAm));
        // The day before and after, 02:00 local as usual.
        Assert.Equal(Utc("2027-03-13T07:00:00Z"), Due("2027-03-12T12:00:00Z", 1, DelayUnits.Days, twoAm));
        Assert.Equal(Utc("2027-03-15T06:00:00Z"), Due("2027-03-14T12:00:00Z", 1, DelayUnits.Days, twoAm));
    }

    [Fact]
    public void SendHourInTheFallBackOverlap_GoesOutOnceAtTheFirstOne()
    {
        var oneAm = new SequenceTimes(SendDays.All, 1, SequenceSchedule.Zone("America/New_York")!);
        // 01:00 happens twice on 2027-11-07: the first (EDT, 05:00Z).
        Assert.Equal(Utc("2027-11-07T05:00:00Z"), Due("2027-11-06T12:00:00Z", 1, DelayUnits.Days, oneAm));
    }

    [Fact]
    public void EveryDayInUtc_IsTheNextDaysSendHour()
    {
        Assert.Equal(Utc("2027-01-03T09:00:00Z"), Due("2027-01-01T23:59:59Z", 2, DelayUnits.Days, UtcEveryDay9));
    }

    [Theory]
    [InlineData("America/New_York", true)]
    [InlineData("Europe/Paris", true)]
    [InlineData("UTC", true)]
    [InlineData("Mars/Olympus_Mons", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Zone_KnowsTheEmbeddedIanaIds(string? id, bool known)
    {
        Assert.Equal(known, SequenceSchedule.Zone(id) is not null);
        Assert.Equal(known ? null : SequenceRules.TimeZoneInvalid, SequenceRules.TimeZone(id));
    }

    [Fact]
    public void SendDays_ParseFullAndShortNames_AndRefuseOthers()
    {
        Assert.Equal(0b0010101, SendDays.Parse(["Monday", "wed", " FRI "]));
        Assert.Equal(["monday", "wednesday", "friday"], SendDays.ToNames(0b0010101));
        Assert.Null(SendDays.Parse(["mon", "funday"]));
        Assert.Null(SendDays.Parse([]));
    }
}
