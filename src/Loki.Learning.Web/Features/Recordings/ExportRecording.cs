using System.Text.RegularExpressions;
using System.IO.Compression;
using System.Text;
using Loki.Learning.Media.Recording;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Recordings;

/// What goes into a take's zip: its WAVs (tracks and mix), its converted cameras and screens (in <c>video/</c>, named by
/// person, kind and number, with <c>video/offsets.csv</c> saying where each starts on the take's timeline), a REAPER
/// project with the tracks at their aligned positions, the tempo map and the markers, and an Audacity project list.
/// <param name="Name">File name stem for the zip and the projects.</param>
/// <param name="ExpectedBytes">About the size of the zip (files are stored, not compressed): for a progress bar.</param>
public sealed record RecordingExport(string Name, IReadOnlyList<(string EntryName, string FullPath)> Files, string ReaperProject, string AudacityList, long ExpectedBytes, string? VideoOffsets = null)
{
    /// Writes the zip to <paramref name="output"/> as it goes (a response body need not seek).
    public async Task WriteZipAsync(Stream output, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (entryName, fullPath) in Files)
        {
            var entry = zip.CreateEntry($"{Name}/{entryName}", CompressionLevel.NoCompression);
            await using var target = await entry.OpenAsync(cancellationToken);
            await using var source = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await source.CopyToAsync(target, cancellationToken);
        }
        await WriteTextAsync(zip, $"{Name}/{Name}.rpp", ReaperProject, cancellationToken);
        await WriteTextAsync(zip, $"{Name}/{Name}.lof", AudacityList, cancellationToken);
        if (VideoOffsets is not null)
        {
            await WriteTextAsync(zip, $"{Name}/video/offsets.csv", VideoOffsets, cancellationToken);
        }
    }

    private static async Task WriteTextAsync(ZipArchive zip, string entryName, string text, CancellationToken cancellationToken)
    {
        await using var target = await zip.CreateEntry(entryName, CompressionLevel.Optimal).OpenAsync(cancellationToken);
        await target.WriteAsync(new UTF8Encoding(false).GetBytes(text), cancellationToken);
    }
}

public sealed record ExportRecording(Actor Actor, Guid RecordingId) : IQuery<RecordingExport>;

public sealed class ExportRecordingHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, RecordingStorage storage) : IQueryHandler<ExportRecording, RecordingExport>
{
    public async ValueTask<RecordingExport> Handle(ExportRecording query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (recording, _) = await db.RecordingForAsync(owners, query.RecordingId, query.Actor, cancellationToken);
        if (recording.Status == RecordingStatus.Recording)
        {
            throw Refusal.Conflict("Recording.Refusal.StillRecording");
        }
        // By name, numbers as numbers: a hall's "ch 2" before its "ch 10".
        var tracks = (await db.RecordingTracks.Where(t => t.RecordingId == recording.Id).ToListAsync(cancellationToken))
            .OrderBy(t => NaturalKey(t.DisplayName), StringComparer.CurrentCulture).ToList();
        var events = await db.RecordingEvents.Where(e => e.RecordingId == recording.Id).OrderBy(e => e.AtSeconds).ToListAsync(cancellationToken);
        var files = new List<(string, string)>();
        foreach (var file in tracks.Select(t => t.File).Append(recording.MixFile))
        {
            var path = storage.PathOf(recording.Folder, file);
            if (!File.Exists(path))
            {
                throw Refusal.NotFound("Recording.Refusal.FileMissing");
            }
            files.Add((file, path));
        }
        // Pictures that could not be saved are left out; the sound never waits for them.
        var videos = await db.RecordingVideos.Where(v => v.RecordingId == recording.Id && v.Status == RecordingVideoStatus.Ready)
            .OrderBy(v => v.DisplayName).ThenBy(v => v.File).ToListAsync(cancellationToken);
        var offsets = new StringBuilder("file,person,kind,start_seconds\n");
        foreach (var video in videos)
        {
            var path = storage.PathOf(recording.Folder, video.File);
            if (!File.Exists(path))
            {
                throw Refusal.NotFound("Recording.Refusal.FileMissing");
            }
            files.Add(($"video/{video.File}", path));
            offsets.Append(System.Globalization.CultureInfo.InvariantCulture, $"{video.File},\"{video.DisplayName.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{video.Kind},{video.StartSeconds:F3}\n");
        }
        var dawTracks = tracks
            .Select(t => new DawTrack(t.DisplayName, t.File, t.StartSeconds, t.Frames / (double)RoomRecorders.SampleRate))
            .ToList();
        var project = new ReaperProject(dawTracks, TempoMap(events), events
            .Where(e => e.Kind == RecordingEventKind.Marker)
            .Select(e => new DawMarker(e.AtSeconds, e.Text))
            .ToList(), RoomRecorders.SampleRate);
        var rpp = new StringWriter();
        DawExport.WriteReaperProject(rpp, project);
        var lof = new StringWriter();
        DawExport.WriteAudacityLof(lof, dawTracks);
        var name = NameOf(recording);
        var expected = files.Sum(f => new FileInfo(f.Item2).Length + 100 + 2 * (name.Length + f.Item1.Length)) + rpp.GetStringBuilder().Length + lof.GetStringBuilder().Length + 1024;
        return new RecordingExport(name, files, rpp.ToString(), lof.ToString(), expected, videos.Count > 0 ? offsets.ToString() : null);
    }

    /// Tempo stretches that began before the take start at its first bar line inside it, so the grid stays on the beat.
    public static IReadOnlyList<DawTempo> TempoMap(IEnumerable<RecordingEvent> events)
    {
        var tempo = events.Where(e => e is { Kind: RecordingEventKind.Tempo, Bpm: not null, BeatsPerBar: not null, BeatUnit: not null }).OrderBy(e => e.AtSeconds).ToList();
        // Of the stretches that began before the take, only the one in force at its start matters.
        var inForce = tempo.LastOrDefault(e => e.AtSeconds <= 0);
        return tempo.Where(e => e.AtSeconds > 0 || e == inForce).Select(e =>
        {
            var barSeconds = e.BeatsPerBar!.Value * 60 / e.Bpm!.Value;
            var at = e.AtSeconds >= 0 ? e.AtSeconds : e.AtSeconds + Math.Ceiling(-e.AtSeconds / barSeconds - 1e-9) * barSeconds;
            return new DawTempo(at, e.Bpm.Value, e.BeatsPerBar.Value, e.BeatUnit!.Value);
        })
        .GroupBy(t => Math.Round(t.TimeSeconds, 6))
        .Select(g => g.Last())
        .ToList();
    }

    private static string NaturalKey(string name) => Regex.Replace(name, @"\d+", m => m.Value.PadLeft(6, '0'));

    /// Title and date, letters and digits only, so it is a safe file name everywhere.
    private static string NameOf(Recording recording)
    {
        var title = RoomRecorders.FileStem(recording.Title, 0)[..^2];
        return $"{title}-{recording.StartedUtc:yyyyMMdd-HHmm}";
    }
}
