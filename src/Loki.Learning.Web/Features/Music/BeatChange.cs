namespace Loki.Learning.Web.Features.Music;

/// What a host changes about the beat clock; fields left null stay as they are. Applied in the order written here,
/// so one request can set tempo, metre and count-in and start.
/// <param name="Running">True starts (with the count-in), false stops.</param>
/// <param name="JumpToBar">Running: the next bar line becomes this bar. Stopped: the next start begins here.</param>
[GenerateSerializer, Immutable, Alias("Loki.BeatChange")]
public sealed record BeatChange(
    [property: Id(0)] bool? Running = null,
    [property: Id(1)] double? Bpm = null,
    [property: Id(2)] int? BeatsPerBar = null,
    [property: Id(3)] int? BeatUnit = null,
    [property: Id(4)] int? CountInBars = null,
    [property: Id(5)] int? JumpToBar = null,
    [property: Id(6)] ClickSettings? Click = null)
{
    private static readonly int[] BeatUnits = [1, 2, 4, 8, 16, 32];

    /// The first thing wrong with the change as (refusal key, field), or null.
    public (string Key, string Field)? FindProblem()
    {
        if (Bpm is { } bpm && (!double.IsFinite(bpm) || bpm < BeatTimeline.MinBpm || bpm > BeatTimeline.MaxBpm))
        {
            return ("Validation.Tempo", nameof(Bpm));
        }
        if (BeatsPerBar is { } beats && (beats < 1 || beats > BeatTimeline.MaxBeatsPerBar))
        {
            return ("Validation.BeatsPerBar", nameof(BeatsPerBar));
        }
        if (BeatUnit is { } unit && !BeatUnits.Contains(unit))
        {
            return ("Validation.BeatUnit", nameof(BeatUnit));
        }
        if (CountInBars is { } countIn && (countIn < 0 || countIn > BeatTimeline.MaxCountInBars))
        {
            return ("Validation.CountIn", nameof(CountInBars));
        }
        if (JumpToBar is { } bar && (bar < 1 || bar > 9999))
        {
            return ("Validation.Bar", nameof(JumpToBar));
        }
        if (Click is { } click)
        {
            if (!ClickSettings.Sounds.Contains(click.Sound))
            {
                return ("Validation.ClickSound", nameof(Click));
            }
            if (!float.IsFinite(click.Volume) || click.Volume < 0 || click.Volume > 1)
            {
                return ("Validation.ClickVolume", nameof(Click));
            }
            if (click.Subdivision is < 1 or > 4)
            {
                return ("Validation.Subdivision", nameof(Click));
            }
            if (click.Accents is null || click.Accents.Count > BeatTimeline.MaxBeatsPerBar || click.Accents.Any(a => a is < -1 or > 2))
            {
                return ("Validation.Accents", nameof(Click));
            }
        }
        return null;
    }

    public BeatTimeline ApplyTo(BeatTimeline beat, double nowMs)
    {
        if (Click is { } click)
        {
            beat = beat.ChangeClick(click with { Accents = [.. click.Accents] });
        }
        if (CountInBars is { } countIn && countIn != beat.CountInBars)
        {
            beat = beat.ChangeCountIn(countIn);
        }
        if ((BeatsPerBar is { } beats && beats != beat.BeatsPerBar) || (BeatUnit is { } unit && unit != beat.BeatUnit))
        {
            beat = beat.ChangeMetre(BeatsPerBar ?? beat.BeatsPerBar, BeatUnit ?? beat.BeatUnit, nowMs);
        }
        if (Bpm is { } bpm && Math.Abs(bpm - beat.Bpm) > 1e-9)
        {
            beat = beat.ChangeTempo(bpm, nowMs);
        }
        if (JumpToBar is { } bar)
        {
            beat = beat.JumpTo(bar, nowMs);
        }
        return Running switch
        {
            true => beat.Start(nowMs),
            false => beat.Stop(nowMs),
            null => beat,
        };
    }
}
