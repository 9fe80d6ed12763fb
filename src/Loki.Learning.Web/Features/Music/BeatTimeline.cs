namespace Loki.Learning.Web.Features.Music;

/// A stretch of a running timeline with one tempo and metre. It always starts on a bar line.
/// <param name="Beat">Beat number at the start. Beat 0 is the first downbeat after the count-in; count-in beats are negative.</param>
/// <param name="EpochMs">Server time of that beat, milliseconds since the Unix epoch.</param>
/// <param name="Bpm">Beats (clicks) per minute; a beat is the bar's counting unit (in 6/8 the eighth note).</param>
/// <param name="Bar">Bar number at the start: the score's bar from beat 0 on, count-in bars are numbered below 1.</param>
[GenerateSerializer, Immutable, Alias("Loki.BeatSegment")]
public sealed record BeatSegment(
    [property: Id(0)] long Beat,
    [property: Id(1)] double EpochMs,
    [property: Id(2)] double Bpm,
    [property: Id(3)] int BeatsPerBar,
    [property: Id(4)] int BeatUnit,
    [property: Id(5)] int Bar)
{
    public double MsPerBeat => 60_000 / Bpm;
}

/// A time signature that holds from <paramref name="Bar"/> on: the score's, or a bar's real length where its notes
/// fill less than the printed metre (a split bar, a pickup's closing bar).
/// <param name="Scale">Clicks per beat of the printed metre: a bar whose length is not a whole number of beats
/// (3½ quarters) is counted in a shorter note value (7 eighths), at that many times the tempo, so it lasts exactly as
/// long as its notes.</param>
[GenerateSerializer, Immutable, Alias("Loki.MetreChange")]
public sealed record MetreChange(
    [property: Id(0)] int Bar,
    [property: Id(1)] int BeatsPerBar,
    [property: Id(2)] int BeatUnit,
    [property: Id(3)] int Scale = 1);

/// How the click sounds. Each listener may still turn it down or off in their own browser.
/// <param name="Accents">Per beat of the bar: 2 strong, 1 medium, 0 plain, −1 silent. Empty: the first beat strong.</param>
/// <param name="Subdivision">Clicks per beat (1 = beats only, 2 = eighths in 4/4, 3 = triplets, 4 = sixteenths).</param>
[GenerateSerializer, Immutable, Alias("Loki.ClickSettings")]
public sealed record ClickSettings(
    [property: Id(0)] string Sound,
    [property: Id(1)] float Volume,
    [property: Id(2)] int Subdivision,
    [property: Id(3)] IReadOnlyList<int> Accents)
{
    public static readonly IReadOnlyList<string> Sounds = ["click", "wood", "beep"];

    public static readonly ClickSettings Default = new("click", 0.8f, 1, []);
}

/// Where a beat falls in the music.
/// <param name="BeatInBar">0-based.</param>
/// <param name="Fraction">How far into that beat, 0..1.</param>
public readonly record struct BeatPosition(int Bar, int BeatInBar, double Fraction, int BeatsPerBar, int BeatUnit, bool CountIn);

/// The room's one beat clock, in the spirit of Ableton Link's timeline: segments of constant tempo and metre that map
/// server time to beats. Every site computes its clicks, bar counter and score cursor from the same segments, so they
/// agree as well as their clocks do. Changes never move a beat that may already have sounded: a running timeline
/// changes only from a bar line at least <see cref="ChangeLeadMs"/> ahead, and starts <see cref="StartLeadMs"/> ahead.
/// Bars are numbered as musicians number them: beat 0 is the downbeat of the first bar played (bar 1 from the start),
/// count-in bars are numbered below it, and a score's pickup is bar 0, the last bar of the count-in.
/// <param name="PickupBeats">The score's pickup (an upbeat before bar 1), in beats of bar 0's metre; 0 for none. It
/// sounds on the last beats of the count-in: bar 1 still starts at beat 0.</param>
[GenerateSerializer, Immutable, Alias("Loki.BeatTimeline")]
public sealed record BeatTimeline(
    [property: Id(0)] bool Running,
    [property: Id(1)] double Bpm,
    [property: Id(2)] int BeatsPerBar,
    [property: Id(3)] int BeatUnit,
    [property: Id(4)] int CountInBars,
    [property: Id(5)] int StartBar,
    [property: Id(6)] IReadOnlyList<BeatSegment> Segments,
    [property: Id(7)] IReadOnlyList<MetreChange> Metres,
    [property: Id(8)] ClickSettings Click,
    [property: Id(9)] long Version,
    [property: Id(10)] double PickupBeats = 0)
{
    /// Time for a change to reach every site before it sounds (a push to a page takes tens of milliseconds).
    public const double ChangeLeadMs = 300;

    public const double StartLeadMs = 600;

    public const double MinBpm = 20;

    public const double MaxBpm = 400;

    public const int MaxBeatsPerBar = 32;

    public const int MaxCountInBars = 4;

    /// Segments that ended this long ago are forgotten (the recording keeps its own history).
    private const double HistoryMs = 60_000;

    public static readonly BeatTimeline Initial = new(false, 100, 4, 4, 1, 1, [], [], ClickSettings.Default, 0);

    /// The segment in force at <paramref name="epochMs"/> (the first one before the start); null when stopped.
    public BeatSegment? SegmentAt(double epochMs)
    {
        if (Segments.Count == 0)
        {
            return null;
        }
        var found = Segments[0];
        foreach (var segment in Segments)
        {
            if (segment.EpochMs <= epochMs)
            {
                found = segment;
            }
        }
        return found;
    }

    public double BeatAt(double epochMs)
    {
        var s = SegmentAt(epochMs) ?? throw new InvalidOperationException("The timeline is stopped.");
        return s.Beat + (epochMs - s.EpochMs) / s.MsPerBeat;
    }

    public double TimeOfBeat(double beat)
    {
        var s = SegmentOfBeat(beat);
        return s.EpochMs + (beat - s.Beat) * s.MsPerBeat;
    }

    public BeatPosition PositionOfBeat(double beat)
    {
        var s = SegmentOfBeat(beat);
        var intoSegment = beat - s.Beat;
        var bars = (int)Math.Floor(intoSegment / s.BeatsPerBar);
        var intoBar = intoSegment - (double)bars * s.BeatsPerBar;
        var whole = (int)Math.Floor(intoBar);
        return new BeatPosition(s.Bar + bars, whole, intoBar - whole, s.BeatsPerBar, s.BeatUnit, beat < 0);
    }

    /// The metre written at <paramref name="bar"/>: the score's, or the one the teacher set.
    public (int BeatsPerBar, int BeatUnit) MetreAt(int bar)
    {
        var change = MetreChangeAt(bar);
        return (change.BeatsPerBar, change.BeatUnit);
    }

    private MetreChange MetreChangeAt(int bar)
    {
        var metre = new MetreChange(bar, BeatsPerBar, BeatUnit);
        foreach (var change in Metres)
        {
            if (change.Bar <= bar)
            {
                metre = change;
            }
        }
        return metre;
    }

    public BeatTimeline Start(double nowMs)
    {
        if (Running)
        {
            return this;
        }
        // From the beginning of a score with a pickup, the count-in is in the pickup's metre and ends on it (bar 0);
        // without a count-in the clicks start on the pickup's first whole beat.
        var bar = Math.Max(1, StartBar);
        var pickup = bar == 1 ? PickupBeats : 0;
        var countIn = MetreChangeAt(pickup > 0 ? 0 : bar);
        var msPerBeat = 60_000 / (Bpm * countIn.Scale);
        var countInBars = pickup > 0 ? Math.Max(CountInBars, 1) : CountInBars;
        var firstSounding = CountInBars > 0 ? -(long)CountInBars * countIn.BeatsPerBar : -(long)Math.Ceiling(pickup * countIn.Scale - ScoreBars.Tolerance);
        var downbeatMs = nowMs + StartLeadMs + -firstSounding * msPerBeat;
        var segments = new List<BeatSegment>();
        if (countInBars > 0)
        {
            long firstBeat = -(long)countInBars * countIn.BeatsPerBar;
            segments.Add(new BeatSegment(firstBeat, downbeatMs + firstBeat * msPerBeat, Bpm * countIn.Scale, countIn.BeatsPerBar, countIn.BeatUnit, 1 - countInBars));
        }
        segments.AddRange(Plan(0, downbeatMs, bar, Bpm));
        return Changed() with { Running = true, Segments = segments };
    }

    /// Stops; a later start picks up at the bar that was playing (not in the count-in).
    public BeatTimeline Stop(double nowMs)
    {
        if (!Running)
        {
            return this;
        }
        var position = PositionOfBeat(BeatAt(nowMs));
        var bar = position.CountIn ? StartBar : Math.Max(1, position.Bar);
        return Changed() with { Running = false, Segments = [], StartBar = bar };
    }

    public BeatTimeline ChangeTempo(double bpm, double nowMs)
    {
        if (!Running)
        {
            return Changed() with { Bpm = bpm };
        }
        var (beat, epochMs, bar) = NextBarLine(nowMs + ChangeLeadMs);
        return Changed() with { Bpm = bpm, Segments = Keep(beat, nowMs).Concat(Plan(beat, epochMs, bar, bpm)).ToList() };
    }

    /// A metre the teacher sets holds from now on and replaces the score's time signatures.
    public BeatTimeline ChangeMetre(int beatsPerBar, int beatUnit, double nowMs)
    {
        var changed = Changed() with { BeatsPerBar = beatsPerBar, BeatUnit = beatUnit, Metres = [], PickupBeats = 0 };
        return Running ? changed.Replan(nowMs) : changed;
    }

    /// Bars and time signatures of the score the room follows (none: the teacher's metre), as musicians count them
    /// (<see cref="ScoreBars.Count"/>): each bar as long as its notes, the pickup as bar 0, the printed metre again
    /// after the last bar.
    public BeatTimeline FollowScore(IReadOnlyList<ScoreMeasure> measures, double nowMs)
    {
        var metres = new List<MetreChange>();
        var pickup = 0.0;
        var bars = ScoreBars.Count(measures);
        foreach (var bar in bars)
        {
            if (bar.Number == 0)
            {
                // The count-in carries the pickup: bar 0 is a whole bar of the printed metre, the pickup its last beats.
                pickup = Math.Min(bar.Length, bar.Beats);
                Add(metres, new MetreChange(0, Math.Clamp(bar.Beats, 1, MaxBeatsPerBar), bar.BeatType));
                continue;
            }
            Add(metres, bar.IsFull ? new MetreChange(bar.Number, Math.Clamp(bar.Beats, 1, MaxBeatsPerBar), bar.BeatType) : Counted(bar));
        }
        if (bars.Count > 0 && !bars[^1].IsFull && bars[^1].Number > 0)
        {
            Add(metres, new MetreChange(bars[^1].Number + 1, Math.Clamp(bars[^1].Beats, 1, MaxBeatsPerBar), bars[^1].BeatType));
        }
        var changed = Changed() with { Metres = metres, PickupBeats = pickup };
        if (metres.Count > 0)
        {
            var (beats, unit) = changed.MetreAt(1);
            changed = changed with { BeatsPerBar = beats, BeatUnit = unit };
        }
        return Running ? changed.Replan(nowMs) : changed with { StartBar = 1 };
    }

    private static void Add(List<MetreChange> metres, MetreChange change)
    {
        if (metres.Count == 0 || metres[^1] with { Bar = change.Bar } != change)
        {
            metres.Add(change);
        }
    }

    /// A bar shorter (or longer) than its time signature, as a metre of its own: whole beats where they fit, else
    /// the beat halved until they do (3½ quarters are 7 eighths).
    private static MetreChange Counted(CountedBar bar)
    {
        var scale = 1;
        while (scale < 16 && Math.Abs(bar.Length * scale - Math.Round(bar.Length * scale)) > ScoreBars.Tolerance * scale
               && Math.Round(bar.Length * scale * 2) <= MaxBeatsPerBar)
        {
            scale *= 2;
        }
        var beats = (int)Math.Clamp(Math.Round(bar.Length * scale), 1, MaxBeatsPerBar);
        return new MetreChange(bar.Number, beats, bar.BeatType * scale, scale);
    }

    /// Running: the next bar line becomes <paramref name="bar"/>. Stopped: the next start begins there.
    public BeatTimeline JumpTo(int bar, double nowMs)
    {
        if (!Running)
        {
            return Changed() with { StartBar = bar };
        }
        var (beat, epochMs, _) = NextBarLine(nowMs + ChangeLeadMs);
        return Changed() with { Segments = Keep(beat, nowMs).Concat(Plan(beat, epochMs, bar, Bpm)).ToList() };
    }

    public BeatTimeline ChangeCountIn(int bars) => Changed() with { CountInBars = bars };

    public BeatTimeline ChangeClick(ClickSettings click) => Changed() with { Click = click };

    private BeatTimeline Replan(double nowMs)
    {
        var (beat, epochMs, bar) = NextBarLine(nowMs + ChangeLeadMs);
        return this with { Segments = Keep(beat, nowMs).Concat(Plan(beat, epochMs, bar, Bpm)).ToList() };
    }

    private BeatTimeline Changed() => this with { Version = Version + 1 };

    private BeatSegment SegmentOfBeat(double beat)
    {
        if (Segments.Count == 0)
        {
            throw new InvalidOperationException("The timeline is stopped.");
        }
        var found = Segments[0];
        foreach (var segment in Segments)
        {
            if (segment.Beat <= beat)
            {
                found = segment;
            }
        }
        return found;
    }

    /// The first bar line at or after <paramref name="epochMs"/>, never inside the count-in (a change waits for beat 0).
    private (long Beat, double EpochMs, int Bar) NextBarLine(double epochMs)
    {
        var s = SegmentAt(epochMs)!;
        long beat;
        if (epochMs <= s.EpochMs)
        {
            beat = s.Beat;
        }
        else
        {
            var bars = (long)Math.Ceiling((epochMs - s.EpochMs) / s.MsPerBeat / s.BeatsPerBar - 1e-9);
            beat = s.Beat + bars * s.BeatsPerBar;
            var next = Segments.FirstOrDefault(n => n.Beat > s.Beat);
            if (next is not null && beat >= next.Beat)
            {
                beat = next.Beat;
            }
        }
        beat = Math.Max(beat, 0);
        var position = PositionOfBeat(beat);
        return (beat, TimeOfBeat(beat), position.Bar);
    }

    /// Segments before the change, less those long finished.
    private IEnumerable<BeatSegment> Keep(long changeBeat, double nowMs)
    {
        var kept = Segments.Where(s => s.Beat < changeBeat).ToList();
        for (var i = 0; i < kept.Count - 1; i++)
        {
            if (kept[i + 1].EpochMs < nowMs - HistoryMs)
            {
                kept.RemoveAt(i);
                i--;
            }
        }
        return kept;
    }

    /// Segments from a bar line on: one at <paramref name="bar"/> and one more at every later change of metre.
    /// <paramref name="bpm"/> is per beat of the printed metre; a bar counted in a shorter note value clicks faster.
    private List<BeatSegment> Plan(long beat, double epochMs, int bar, double bpm)
    {
        var first = MetreChangeAt(bar);
        var planned = new List<BeatSegment> { new(beat, epochMs, bpm * first.Scale, first.BeatsPerBar, first.BeatUnit, bar) };
        foreach (var change in Metres.Where(m => m.Bar > bar))
        {
            var last = planned[^1];
            var beatsBefore = (long)(change.Bar - last.Bar) * last.BeatsPerBar;
            planned.Add(new BeatSegment(last.Beat + beatsBefore, last.EpochMs + beatsBefore * last.MsPerBeat, bpm * change.Scale, change.BeatsPerBar, change.BeatUnit, change.Bar));
        }
        return planned;
    }
}
