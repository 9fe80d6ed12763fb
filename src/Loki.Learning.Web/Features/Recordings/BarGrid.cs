namespace Loki.Learning.Web.Features.Recordings;

/// A bar line of a take, seconds from its start.
public sealed record BarLine(int Bar, double Seconds, int BeatsPerBar, double Bpm);

/// Bars of a take, from its tempo events (seconds from the start; a stretch that began before the take has a negative
/// time). Between a beat stop and the next tempo event there are no bars.
public sealed class BarGrid(IEnumerable<RecordingEvent> events)
{
    /// Enough for an hour at a fast tempo; the ruler draws no more.
    public const int MaxBars = 5000;

    private readonly List<RecordingEvent> _stretches = events
        .Where(e => e.Kind is RecordingEventKind.Tempo or RecordingEventKind.BeatStopped)
        .OrderBy(e => e.AtSeconds)
        .ToList();

    /// The bar playing at <paramref name="seconds"/>, or null when the beat clock was not running.
    public int? BarAt(double seconds)
    {
        var stretch = _stretches.LastOrDefault(e => e.AtSeconds <= seconds);
        if (stretch is not { Kind: RecordingEventKind.Tempo, Bpm: { } bpm, BeatsPerBar: { } beats, Bar: { } bar })
        {
            return null;
        }
        var barSeconds = beats * 60 / bpm;
        return bar + (int)Math.Floor((seconds - stretch.AtSeconds) / barSeconds + 1e-9);
    }

    /// Every bar line from the start to <paramref name="durationSeconds"/>.
    public IReadOnlyList<BarLine> Bars(double durationSeconds)
    {
        var bars = new List<BarLine>();
        for (var i = 0; i < _stretches.Count && bars.Count < MaxBars; i++)
        {
            if (_stretches[i] is not { Kind: RecordingEventKind.Tempo, Bpm: { } bpm, BeatsPerBar: { } beats, Bar: { } bar } stretch)
            {
                continue;
            }
            var end = Math.Min(durationSeconds, i + 1 < _stretches.Count ? _stretches[i + 1].AtSeconds : durationSeconds);
            var barSeconds = beats * 60 / bpm;
            // The first bar line at or after the take's start.
            var first = Math.Max(0, (int)Math.Ceiling((0 - stretch.AtSeconds) / barSeconds - 1e-9));
            for (var k = first; bars.Count < MaxBars; k++)
            {
                var at = stretch.AtSeconds + k * barSeconds;
                if (at >= end - 1e-9)
                {
                    break;
                }
                bars.Add(new BarLine(bar + k, at, beats, bpm));
            }
        }
        return bars;
    }
}
