using Loki.Learning.Web.Features.Music;
using System.Text.Json;
using Loki.Learning.Web.Features.Metronome;

namespace Loki.Learning.Web.Features.Recordings;

/// One line of a take's <c>timeline.jsonl</c>, appended and flushed as it happens so a crash keeps it.
/// <param name="EpochMs">Server time, ms since the Unix epoch.</param>
/// <param name="Segments">For <see cref="TimelineLine.Beat"/>: the beat timeline's segments then (empty: stopped).</param>
public sealed record TimelineLine(
    string Kind,
    double EpochMs,
    string? Text = null,
    int? MediaId = null,
    string? PersonId = null,
    string? File = null,
    double? OffsetMs = null,
    double? ResidualMs = null,
    IReadOnlyList<BeatSegment>? Segments = null)
{
    public const string Start = "start";
    public const string Track = "track";
    public const string Joined = "joined";
    public const string Left = "left";
    public const string Beat = "beat";
    public const string Score = "score";
    public const string Marker = "marker";

    public const string FileName = "timeline.jsonl";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// Reads what a take wrote; a line cut off by a crash (or otherwise unreadable) is skipped.
    public static List<TimelineLine> Read(string path)
    {
        var lines = new List<TimelineLine>();
        if (!System.IO.File.Exists(path))
        {
            return lines;
        }
        foreach (var text in System.IO.File.ReadLines(path))
        {
            try
            {
                if (JsonSerializer.Deserialize<TimelineLine>(text, Json) is { Kind: not null } line)
                {
                    lines.Add(line);
                }
            }
            catch (JsonException)
            {
            }
        }
        return lines;
    }

    /// The timeline's events relative to <paramref name="startEpochMs"/>: tempo stretches as the beat clock finally
    /// ran them (a change replaces the segments from its bar line on), and the rest with the bar they fell in.
    public static List<RecordingEvent> ToEvents(IReadOnlyList<TimelineLine> lines, double startEpochMs)
    {
        var segments = new List<BeatSegment>();
        var stops = new List<double>();
        foreach (var line in lines.Where(l => l.Kind == Beat))
        {
            var next = line.Segments ?? [];
            if (next.Count == 0)
            {
                segments.RemoveAll(s => s.EpochMs > line.EpochMs);
                stops.Add(line.EpochMs);
                continue;
            }
            var from = next.Min(s => s.EpochMs);
            segments.RemoveAll(s => s.EpochMs >= from);
            stops.RemoveAll(t => t >= from);
            segments.AddRange(next);
        }
        var events = segments
            .Select(s => new RecordingEvent
            {
                Kind = RecordingEventKind.Tempo,
                AtSeconds = (s.EpochMs - startEpochMs) / 1000,
                Bar = s.Bar,
                Bpm = s.Bpm,
                BeatsPerBar = s.BeatsPerBar,
                BeatUnit = s.BeatUnit,
            })
            .Concat(stops.Select(t => new RecordingEvent { Kind = RecordingEventKind.BeatStopped, AtSeconds = (t - startEpochMs) / 1000 }))
            .ToList();
        var grid = new BarGrid(events);
        foreach (var line in lines)
        {
            RecordingEventKind? kind = line.Kind switch
            {
                Joined => RecordingEventKind.Joined,
                Left => RecordingEventKind.Left,
                Score => RecordingEventKind.Score,
                Marker => RecordingEventKind.Marker,
                _ => null,
            };
            if (kind is { } k)
            {
                var at = Math.Max(0, (line.EpochMs - startEpochMs) / 1000);
                events.Add(new RecordingEvent { Kind = k, AtSeconds = at, Bar = grid.BarAt(at), Text = Truncate(line.Text ?? "", 200) });
            }
        }
        return events.OrderBy(e => e.AtSeconds).ToList();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
