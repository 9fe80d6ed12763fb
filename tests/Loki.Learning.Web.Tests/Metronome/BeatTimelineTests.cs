using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Scores;

namespace Loki.Learning.Web.Tests.Metronome;

public sealed class BeatTimelineTests
{
    // 120 bpm: 500 ms a beat. Started at 0 with one bar of count-in in 4/4, the count-in sounds from 600 ms
    // (the start lead) and bar 1 begins at 2600 ms.
    private static BeatTimeline StartedAt120() =>
        (BeatTimeline.Initial with { Bpm = 120, CountInBars = 1 }).Start(nowMs: 0);

    [Fact]
    public void TheCountInPrecedesBarOneAndStartsAfterTheLead()
    {
        var beat = StartedAt120();

        Assert.True(beat.Running);
        Assert.Equal(600, beat.TimeOfBeat(-4));
        Assert.Equal(2600, beat.TimeOfBeat(0));
        Assert.True(beat.PositionOfBeat(-1).CountIn);
        var downbeat = beat.PositionOfBeat(0);
        Assert.Equal((1, 0, false), (downbeat.Bar, downbeat.BeatInBar, downbeat.CountIn));
        Assert.Equal(3, beat.PositionOfBeat(10).Bar);
    }

    [Fact]
    public void ATempoChangeTakesEffectOnTheNextBarLineAndMovesNoEarlierBeat()
    {
        var before = StartedAt120();

        var after = before.ChangeTempo(90, nowMs: 3000);

        // 3000 ms is in bar 1; the next bar line (beat 4) is at 4600 ms, more than the lead ahead.
        var change = after.Segments[^1];
        Assert.Equal((4L, 4600d, 90d, 2), (change.Beat, change.EpochMs, change.Bpm, change.Bar));
        for (var b = -4; b <= 4; b++)
        {
            Assert.Equal(before.TimeOfBeat(b), after.TimeOfBeat(b));
        }
        Assert.Equal(4600 + 60_000 / 90.0, after.TimeOfBeat(5), 6);
    }

    [Fact]
    public void AChangeTooCloseToTheNextBarLineWaitsForTheOneAfter()
    {
        var after = StartedAt120().ChangeTempo(90, nowMs: 4400);

        // The bar line at 4600 ms is less than the lead (300 ms) away, so the change lands on bar 3 at 6600 ms.
        Assert.Equal((8L, 6600d, 3), (after.Segments[^1].Beat, after.Segments[^1].EpochMs, after.Segments[^1].Bar));
        Assert.Equal(StartedAt120().TimeOfBeat(7.5), after.TimeOfBeat(7.5));
    }

    [Fact]
    public void AChangeDuringTheCountInWaitsForBarOne()
    {
        var after = StartedAt120().ChangeTempo(60, nowMs: 700);

        Assert.Equal((0L, 2600d, 60d), (after.Segments[^1].Beat, after.Segments[^1].EpochMs, after.Segments[^1].Bpm));
        Assert.Equal(3600, after.TimeOfBeat(1));
    }

    [Fact]
    public void AMetreChangeStartsANewBarWithTheNewBeatCount()
    {
        var after = StartedAt120().ChangeMetre(3, 4, nowMs: 3000);

        Assert.Equal(2, after.PositionOfBeat(4).Bar);
        Assert.Equal(3, after.PositionOfBeat(4).BeatsPerBar);
        Assert.Equal((3, 0), (after.PositionOfBeat(7).Bar, after.PositionOfBeat(7).BeatInBar));
    }

    [Fact]
    public void TheScoresTimeSignaturesBecomeSegmentsOnTheirBars()
    {
        var measures = Enumerable.Range(1, 8).Select(bar => new ScoreMeasure(bar, bar <= 4 ? 3 : 2, 4)).ToList();

        var beat = BeatTimeline.Initial.FollowScore(measures, 0).ChangeTempo(120, 0).Start(0);

        // 4 bars of 3/4 = 12 beats, then 2/4.
        Assert.Equal((5, 0, 2), (beat.PositionOfBeat(12).Bar, beat.PositionOfBeat(12).BeatInBar, beat.PositionOfBeat(12).BeatsPerBar));
        Assert.Equal((6, 0), (beat.PositionOfBeat(14).Bar, beat.PositionOfBeat(14).BeatInBar));
        Assert.Equal((4, 2), (beat.PositionOfBeat(11).Bar, beat.PositionOfBeat(11).BeatInBar));
        // The count-in uses bar 1's metre.
        Assert.Equal(-3, beat.Segments[0].Beat);
    }

    [Fact]
    public void ATempoChangeKeepsTheScoresLaterMetreChangesOnTheirBars()
    {
        var measures = Enumerable.Range(1, 8).Select(bar => new ScoreMeasure(bar, bar <= 4 ? 3 : 2, 4)).ToList();
        var beat = BeatTimeline.Initial.FollowScore(measures, 0).ChangeTempo(120, 0).Start(0);

        var faster = beat.ChangeTempo(150, nowMs: 3000);

        Assert.Equal(5, faster.PositionOfBeat(12).Bar);
        Assert.Equal(2, faster.PositionOfBeat(12).BeatsPerBar);
        Assert.All(faster.Segments.Where(s => s.Beat >= 3), s => Assert.Equal(150, s.Bpm));
    }

    [Fact]
    public void AJumpWhileRunningRenumbersTheNextBarLine()
    {
        var after = StartedAt120().JumpTo(17, nowMs: 3000);

        Assert.Equal(1, after.PositionOfBeat(3).Bar);
        Assert.Equal(17, after.PositionOfBeat(4).Bar);
        Assert.Equal(StartedAt120().TimeOfBeat(4), after.TimeOfBeat(4));
    }

    [Fact]
    public void StoppingAndStartingAgainPicksUpAtTheBarThatWasPlaying()
    {
        var stopped = StartedAt120().Stop(nowMs: 2600 + 5 * 2000 + 700);

        Assert.False(stopped.Running);
        Assert.Empty(stopped.Segments);
        Assert.Equal(6, stopped.StartBar);
        var again = stopped.Start(nowMs: 20_000);
        Assert.Equal(6, again.PositionOfBeat(0).Bar);
        Assert.Equal(20_600 + 2000, again.TimeOfBeat(0));
    }

    [Fact]
    public void EveryChangeRaisesTheVersionAndStartingTwiceChangesNothing()
    {
        var started = StartedAt120();

        Assert.Same(started, started.Start(5000));
        Assert.True(started.ChangeTempo(100, 3000).Version > started.Version);
    }

    [Theory]
    [InlineData(10.0, null, null, null, "Validation.Tempo")]
    [InlineData(double.NaN, null, null, null, "Validation.Tempo")]
    [InlineData(null, 0, null, null, "Validation.BeatsPerBar")]
    [InlineData(null, null, 5, null, "Validation.BeatUnit")]
    [InlineData(null, null, null, 9, "Validation.CountIn")]
    public void AnImpossibleChangeIsRefusedWithItsReason(double? bpm, int? beats, int? unit, int? countIn, string reason)
    {
        var problem = new BeatChange(Bpm: bpm, BeatsPerBar: beats, BeatUnit: unit, CountInBars: countIn).FindProblem();

        Assert.Equal(reason, problem?.Key);
    }

    [Fact]
    public void AClickWithAnUnknownSoundOrBadAccentsIsRefused()
    {
        Assert.Equal("Validation.ClickSound", new BeatChange(Click: ClickSettings.Default with { Sound = "gong" }).FindProblem()?.Key);
        Assert.Equal("Validation.Accents", new BeatChange(Click: ClickSettings.Default with { Accents = [3] }).FindProblem()?.Key);
        Assert.Null(new BeatChange(Click: ClickSettings.Default with { Accents = [2, 0, 1, 0], Subdivision = 2 }).FindProblem());
    }

    /// 3/4 with a one-beat pickup (bar 0), then eight full bars.
    private static IReadOnlyList<ScoreMeasure> WithPickup() =>
        [new ScoreMeasure(1, 3, 4, null, 0, 1), .. Enumerable.Range(2, 8).Select(bar => new ScoreMeasure(bar, 3, 4, null, bar - 1, 3))];

    [Fact]
    public void TheCountInEndsOnThePickupAndBarOneIsTheFirstFullBar()
    {
        var beat = (BeatTimeline.Initial with { Bpm = 60, CountInBars = 2 }).FollowScore(WithPickup(), 0).Start(nowMs: 0);

        // Two bars of 3/4 count-in from 600 ms; the pickup is their last beat; bar 1 at beat 0.
        Assert.Equal((-6L, 600d, -1), (beat.Segments[0].Beat, beat.Segments[0].EpochMs, beat.Segments[0].Bar));
        Assert.Equal((0, 2, true), (beat.PositionOfBeat(-1).Bar, beat.PositionOfBeat(-1).BeatInBar, beat.PositionOfBeat(-1).CountIn));
        Assert.Equal(6600, beat.TimeOfBeat(0));
        Assert.Equal((1, 0, false), (beat.PositionOfBeat(0).Bar, beat.PositionOfBeat(0).BeatInBar, beat.PositionOfBeat(0).CountIn));
    }

    [Fact]
    public void AStartFromALaterBarHasNoPickupAndAStopInTheCountInStartsFromThePickupAgain()
    {
        var followed = (BeatTimeline.Initial with { Bpm = 60, CountInBars = 1 }).FollowScore(WithPickup(), 0);

        var fromBarFive = followed.JumpTo(5, 0).Start(0);
        var stoppedInCountIn = followed.Start(0).Stop(nowMs: 1000).Start(2000);

        Assert.Equal((-3L, 600d, 0), (fromBarFive.Segments[0].Beat, fromBarFive.Segments[0].EpochMs, fromBarFive.Segments[0].Bar));
        Assert.Equal(5, fromBarFive.PositionOfBeat(0).Bar);
        Assert.Equal(1, stoppedInCountIn.StartBar);
        Assert.Equal(1, stoppedInCountIn.PickupBeats);
        Assert.Equal(2000 + BeatTimeline.StartLeadMs + 3000, stoppedInCountIn.TimeOfBeat(0));
    }

    [Fact]
    public void ATeachersMetreReplacesTheScoresPickup()
    {
        var beat = (BeatTimeline.Initial with { Bpm = 60, CountInBars = 1 }).FollowScore(WithPickup(), 0).ChangeMetre(4, 4, 0);

        Assert.Equal(0, beat.PickupBeats);
        Assert.Empty(beat.Metres);
    }
}
