using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.Mixing;

public sealed class ClickTrackTests
{
    private const int Rate = 48000;
    private const int Period = 128;

    // 120 bpm from beat 0 at t = 1000 ms: a click every 500 ms, i.e. every 24000 samples.
    private static ClickTrack At120() => new([new ClickSegment(0, 1000, 120, 4)], Rate, 1f);

    /// Renders <paramref name="seconds"/> of mono blocks from <paramref name="startMs"/> and returns the sample
    /// index (from the start) of each click's first sample.
    private static List<int> Onsets(ClickTrack track, double startMs, double seconds, Func<int, float>? gainOfBlock = null)
    {
        var blocks = (int)(seconds * Rate / Period);
        var all = new float[blocks * Period];
        for (var b = 0; b < blocks; b++)
        {
            track.Render(all.AsSpan(b * Period, Period), 1, Period, startMs + (b * Period * 1000.0 / Rate), gainOfBlock?.Invoke(b) ?? 1f);
        }
        var onsets = new List<int>();
        for (var i = 0; i < all.Length; i++)
        {
            if (all[i] != 0 && (i == 0 || all[i - 1] == 0) && (onsets.Count == 0 || i - onsets[^1] > 2400))
            {
                onsets.Add(i);
            }
        }
        return onsets;
    }

    [Fact]
    public void ClicksStartOnTheSampleOfTheirBeatAcrossBlockBoundaries()
    {
        var onsets = Onsets(At120(), startMs: 1000, seconds: 2.1);

        // The first sample of the envelope is 0 (sin 0), so the first non-zero sample is one after the onset.
        Assert.Equal([1, 24001, 48001, 72001, 96001], onsets);
    }

    [Fact]
    public void AClickBeforeTheFirstSegmentIsNotRendered()
    {
        var onsets = Onsets(At120(), startMs: 0, seconds: 1.6);

        Assert.Equal([48001, 72001], onsets);
    }

    [Fact]
    public void ATempoChangeSegmentMovesTheClicksThatFollowIt()
    {
        var track = new ClickTrack([new ClickSegment(0, 1000, 120, 4), new ClickSegment(4, 3000, 60, 4)], Rate, 1f);

        var onsets = Onsets(track, startMs: 2500, seconds: 2.1);

        // Beat 3 at 2500 ms, beat 4 (the change) at 3000 ms, beat 5 a second later.
        Assert.Equal([1, 24001, 72001], onsets);
    }

    [Fact]
    public void RenderingAddsToTheMixAndAllocatesNothing()
    {
        var track = At120();
        var block = new float[Period * 2];
        block.AsSpan().Fill(0.25f);
        track.Render(block, 2, Period, 1000, 0.5f);
        Assert.NotEqual(0.25f, block[5]);
        Assert.Equal(block[5], block[Period + 5]);

        // Warm up in a loop of its own first, like the other allocation tests: the runtime's switch of this method to
        // optimised code in the middle of a long loop once allocated 6 KB of its own on a CI run.
        for (var i = 0; i < 2_000; i++)
        {
            track.Render(block, 2, Period, 1000 + (i * Period * 1000.0 / Rate), 0.5f);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 2_000; i < 12_000; i++)
        {
            track.Render(block, 2, Period, 1000 + (i * Period * 1000.0 / Rate), 0.5f);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OnlyAListenerWhoAskedHearsTheClick()
    {
        var room = new MixingRoom("room", Period) { Click = At120() };
        var wants = room.AddParticipant(1, 1, 1)!;
        var others = room.AddParticipant(2, 1, 1)!;
        wants.ClickGain = 1f;

        room.Mix(periodEpochMs: 1000);

        Assert.Contains(wants.Output.ToArray(), s => s != 0);
        Assert.DoesNotContain(others.Output.ToArray(), s => s != 0);
    }
}
