using Mailroom.Server.Delivery.Webhooks;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>The dispatcher pass's decisions, without a database or a receiver: slots, caps, claims, writes, the end.</summary>
public sealed class WebhookPassTests
{
    static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);

    // Lease / Timeout / 2 = 2 waves: each target may hold 2 × 2 claimed, the pass 4 × 2.
    static WebhookPass NewPass() =>
        new(new WebhookOptions { MaxConcurrency = 4, MaxConcurrencyPerTarget = 2, Timeout = TimeSpan.FromSeconds(10), Lease = TimeSpan.FromSeconds(40) }, Poll);

    static int _ids;

    static WebhookClaim Claim(long account, string target) =>
        new(Interlocked.Increment(ref _ids), Guid.NewGuid(), account, target, "{}", "subscriber_activate", true, null, 0, DateTime.UnixEpoch);

    static readonly WebhookOutcome Delivered = new(WebhookOutcomeKind.Delivered, 200, null);

    [Fact]
    public void Caps_FollowTheWavesALeaseAllows()
    {
        var pass = NewPass();
        Assert.Equal((4, 8, 8), (pass.TargetCap, pass.TotalCap, pass.Room));
    }

    [Fact]
    public void StartNext_RespectsThePerTargetAndTheTotalSlots()
    {
        var pass = NewPass();
        for (var i = 0; i < 3; i++) pass.Add(Claim(1, "http://a/"));
        for (var i = 0; i < 3; i++) pass.Add(Claim(1, "http://b/"));
        pass.Add(Claim(1, "http://c/"));

        var started = pass.StartNext();

        Assert.Equal(4, started.Count);
        Assert.All(started.GroupBy(c => c.TargetUrl), g => Assert.True(g.Count() <= 2));
        Assert.Equal((7, 3, 4), (pass.Held, pass.Queued, pass.InFlight));
        Assert.Empty(pass.StartNext());
    }

    [Fact]
    public void StartNext_AccountWithManyTargets_LeavesASlotForAnotherAccountQueuedAfterIt()
    {
        var pass = NewPass();
        for (var i = 0; i < 6; i++) pass.Add(Claim(1, $"http://dead/{i}"));
        var other = Claim(2, "http://healthy/");
        pass.Add(other);

        var started = pass.StartNext();

        Assert.Equal(4, started.Count);
        Assert.Contains(other, started);
    }

    [Fact]
    public void StartNext_SlotFreed_GoesToTheAccountWithFewestInFlight()
    {
        var pass = NewPass();
        var first = Enumerable.Range(0, 4).Select(i => Claim(1, $"http://dead/{i}")).ToList();
        first.ForEach(pass.Add);
        Assert.Equal(4, pass.StartNext().Count);
        pass.Add(Claim(1, "http://dead/4"));
        var other = Claim(2, "http://healthy/");
        pass.Add(other);

        pass.Finished(first[0], Delivered);

        Assert.Equal([other], pass.StartNext());
    }

    [Fact]
    public void BeginClaim_TargetsOverHalfTheirCap_AreLeftOutUntilTheyDrainToHalf()
    {
        var pass = NewPass();
        var busy = Enumerable.Range(0, 3).Select(_ => Claim(1, "http://busy/")).ToList();
        busy.ForEach(pass.Add);
        pass.Add(Claim(1, "http://quiet/"));

        var view = pass.BeginClaim(T0);
        Assert.Equal((4, 4), (view.Free, view.TargetCap));
        Assert.Equal(["http://busy/"], view.Busy);
        Assert.Equal(3, view.Held["http://busy/"]);
        Assert.False(pass.Reopened);

        pass.StartNext();
        pass.Finished(busy[0], Delivered);
        Assert.True(pass.Reopened);
        Assert.Empty(pass.BeginClaim(T0).Busy);
    }

    [Fact]
    public void Next_NewPass_FansOutAndClaimsAtOnce()
    {
        var steps = NewPass().Next(fanning: false, claiming: false, recording: false, answered: true, T0);
        Assert.Equal(new WebhookPassSteps(Finish: false, FanOut: true, Claim: true, Record: false), steps);
    }

    [Fact]
    public void Next_FanOutAndClaimFoundNothing_Finishes()
    {
        var pass = NewPass();
        pass.Next(false, false, false, true, T0);
        pass.BeginClaim(T0);
        pass.FanOutFinished(0, claiming: true);
        pass.ClaimFinished([], exhausted: true, T0);

        Assert.True(pass.Next(false, false, false, true, T0).Finish);
    }

    [Fact]
    public void Next_EventsFannedOutWhileTheClaimRan_ClaimsAgainBeforeFinishing()
    {
        var pass = NewPass();
        pass.BeginClaim(T0);
        pass.FanOutFinished(3, claiming: true);
        pass.ClaimFinished([], exhausted: true, T0);

        var steps = pass.Next(false, false, false, true, T0);

        Assert.False(steps.Finish);
        Assert.True(steps.Claim);
    }

    [Fact]
    public void Next_MoreThanHalfTheRoomHeld_ClaimsIntoTheRestOnlyOncePerPollInterval()
    {
        var pass = NewPass();
        pass.BeginClaim(T0);
        pass.FanOutFinished(0, claiming: true);
        var got = Enumerable.Range(0, 8).Select(i => Claim(1, $"http://t/{i}")).ToList();
        pass.ClaimFinished(got, exhausted: false, T0);
        pass.StartNext();

        Assert.False(pass.Next(false, false, false, true, T0).Claim);
        // Full: no room to claim into, however long it has been.
        Assert.False(pass.Next(false, false, false, true, T0 + 10 * Poll).Claim);
        pass.Finished(got[0], Delivered);
        Assert.False(pass.Next(false, false, false, true, T0 + Poll / 2).Claim);
        Assert.True(pass.Next(false, false, false, true, T0 + Poll).Claim);
        Assert.Equal(1, pass.BeginClaim(T0 + Poll).Free);
        Assert.False(pass.Next(false, false, false, true, T0 + Poll).Claim);
    }

    [Fact]
    public void Next_AfterAClaimThatFoundLessThanItsRoom_WaitsForThePollIntervalOrAReopenedTarget()
    {
        var pass = NewPass();
        pass.BeginClaim(T0);
        pass.FanOutFinished(0, claiming: true);
        var got = new[] { Claim(1, "http://t/"), Claim(1, "http://t/"), Claim(1, "http://t/") };
        pass.ClaimFinished(got, exhausted: true, T0);
        pass.StartNext();

        Assert.False(pass.Next(false, false, false, true, T0 + Poll / 2).Claim);
        Assert.True(pass.Next(false, false, false, true, T0 + Poll).Claim);

        pass.BeginClaim(T0);
        pass.ClaimFinished([], exhausted: true, T0 + Poll);
        Assert.False(pass.Next(false, false, false, true, T0 + Poll).Claim);
        pass.Finished(got[0], Delivered); // 3 held → 2, half the target's cap
        Assert.True(pass.Next(false, false, false, true, T0 + Poll).Claim);
    }

    [Fact]
    public void Next_AClaimThatLeftAccountsForTheNext_IsNotDry()
    {
        var pass = NewPass();
        pass.BeginClaim(T0);
        pass.FanOutFinished(0, claiming: true);
        pass.ClaimFinished([Claim(1, "http://t/")], exhausted: false, T0);
        pass.StartNext();

        Assert.True(pass.Next(false, false, false, true, T0).Claim);
    }

    [Fact]
    public void Next_Outcomes_AreWrittenInBatchesUnlessNothingIsInFlightOrNothingAnswered()
    {
        var pass = NewPass();
        var claims = Enumerable.Range(0, 4).Select(i => Claim(1, $"http://t/{i}")).ToList();
        claims.ForEach(pass.Add);
        pass.StartNext();

        pass.Finished(claims[0], Delivered);
        Assert.False(pass.Next(false, true, false, answered: true, T0).Record);
        Assert.True(pass.Next(false, true, false, answered: false, T0).Record);
        Assert.False(pass.Next(false, true, recording: true, answered: false, T0).Record);

        claims.Skip(1).ToList().ForEach(c => pass.Finished(c, Delivered));
        Assert.True(pass.Next(false, true, false, answered: true, T0).Record);
        Assert.Equal(4, pass.Done.Count);
    }

    [Fact]
    public void ReleaseQueued_HandsBackWhatNeverStarted()
    {
        var pass = NewPass();
        for (var i = 0; i < 6; i++) pass.Add(Claim(1, $"http://t/{i}"));
        var started = pass.StartNext();

        pass.ReleaseQueued();

        Assert.Equal(2, pass.Done.Count);
        Assert.All(pass.Done, d => Assert.Equal(WebhookOutcomeKind.Released, d.Outcome.Kind));
        Assert.DoesNotContain(pass.Done, d => started.Contains(d.Claim));
        Assert.Equal((4, 0), (pass.Held, pass.Queued));
    }
}
