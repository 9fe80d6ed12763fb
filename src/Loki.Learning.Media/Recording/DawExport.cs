using System.Globalization;

namespace Loki.Learning.Media.Recording;

/// <summary>
/// Project files for digital audio workstations: a REAPER project (tracks at their aligned positions, the tempo map
/// and markers) and an Audacity list of files (<c>.lof</c>), the two Jamulus' recorder writes.
/// </summary>
public static class DawExport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes a REAPER <c>.rpp</c> project that refers to the WAV files by name (they sit beside it).</summary>
    public static void WriteReaperProject(TextWriter writer, ReaperProject project)
    {
        var first = project.Tempo.Count > 0 ? project.Tempo[0] : new DawTempo(0, 120, 4, 4);
        writer.WriteLine("<REAPER_PROJECT 0.1 \"6.0\" 0");
        writer.WriteLine(F($"  SAMPLERATE {project.SampleRate} 0 0"));
        writer.WriteLine(F($"  TEMPO {first.Bpm:0.######} {first.BeatsPerBar} {first.BeatUnit}"));
        writer.WriteLine("  <TEMPOENVEX");
        writer.WriteLine("    ACT 1 -1");
        foreach (var tempo in project.Tempo)
        {
            // Shape 1 = square (the tempo holds until the next point); the time signature packs as num + denom·65536.
            writer.WriteLine(F($"    PT {tempo.TimeSeconds:0.000000} {tempo.Bpm:0.######} 1 {tempo.BeatsPerBar + (tempo.BeatUnit * 65536)}"));
        }
        writer.WriteLine("  >");
        for (var i = 0; i < project.Markers.Count; i++)
        {
            var marker = project.Markers[i];
            writer.WriteLine(F($"  MARKER {i + 1} {marker.TimeSeconds:0.000000} {ReaperString(marker.Name)} 0"));
        }
        foreach (var track in project.Tracks)
        {
            writer.WriteLine("  <TRACK");
            writer.WriteLine(F($"    NAME {ReaperString(track.Name)}"));
            writer.WriteLine("    <ITEM");
            writer.WriteLine(F($"      POSITION {track.PositionSeconds:0.000000}"));
            writer.WriteLine(F($"      LENGTH {track.LengthSeconds:0.000000}"));
            writer.WriteLine(F($"      NAME {ReaperString(track.Name)}"));
            writer.WriteLine("      <SOURCE WAVE");
            writer.WriteLine(F($"        FILE {ReaperString(track.File)}"));
            writer.WriteLine("      >");
            writer.WriteLine("    >");
            writer.WriteLine("  >");
        }
        writer.WriteLine(">");
    }

    /// <summary>Writes an Audacity <c>.lof</c>: each file with its offset in seconds.</summary>
    public static void WriteAudacityLof(TextWriter writer, IEnumerable<DawTrack> tracks)
    {
        foreach (var track in tracks)
        {
            writer.WriteLine(F($"file {Quote(track.File)} offset {track.PositionSeconds:0.000000}"));
        }
    }

    private static string F(FormattableString text) => text.ToString(Invariant);

    /// Audacity reads double-quoted names without escapes: a double quote in a name becomes a single one.
    private static string Quote(string text) => "\"" + text.Replace('"', '\'').Replace('\n', ' ').Replace('\r', ' ') + "\"";

    /// A string as REAPER writes one: it has no escapes, so it is wrapped in the first of " ' ` that the text does not
    /// contain; text with all three is wrapped in ` and its own backticks become '. A line break would end the line.
    public static string ReaperString(string text)
    {
        text = text.Replace('\r', ' ').Replace('\n', ' ');
        var quote = !text.Contains('"') ? '"' : !text.Contains('\'') ? '\'' : '`';
        if (quote == '`')
        {
            text = text.Replace('`', '\'');
        }
        return quote + text + quote;
    }
}

/// <summary>A project: tracks, tempo map and markers.</summary>
/// <param name="Tracks">One item per track.</param>
/// <param name="Tempo">Tempo and metre changes in time order; the first is the starting tempo.</param>
/// <param name="Markers">Named points in time.</param>
/// <param name="SampleRate">The files' rate.</param>
public sealed record ReaperProject(IReadOnlyList<DawTrack> Tracks, IReadOnlyList<DawTempo> Tempo, IReadOnlyList<DawMarker> Markers, int SampleRate = 48000);

/// <summary>A track with one file.</summary>
/// <param name="Name">Shown in the workstation.</param>
/// <param name="File">The WAV's file name, beside the project.</param>
/// <param name="PositionSeconds">Where the file starts on the project's timeline.</param>
/// <param name="LengthSeconds">How long it is.</param>
public sealed record DawTrack(string Name, string File, double PositionSeconds, double LengthSeconds);

/// <summary>A tempo (and metre) from a point in time on.</summary>
/// <param name="TimeSeconds">From the project's start.</param>
/// <param name="Bpm">Beats per minute.</param>
/// <param name="BeatsPerBar">Time signature numerator.</param>
/// <param name="BeatUnit">Time signature denominator.</param>
public sealed record DawTempo(double TimeSeconds, double Bpm, int BeatsPerBar, int BeatUnit);

/// <summary>A named point in time.</summary>
/// <param name="TimeSeconds">From the project's start.</param>
/// <param name="Name">The marker's label.</param>
public sealed record DawMarker(double TimeSeconds, string Name);
