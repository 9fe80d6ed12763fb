// TEMPORARY: the agreed contract of the media side's recorder, so the web side compiles until it lands. Delete on merge.
#pragma warning disable CS1591
namespace Loki.Learning.Media.Recording;

public sealed class RoomRecorder(string folder, int periodFrames, int sampleRate = 48000, int maxTracks = 16) : Mixing.IRoomTap
{
    public string Folder { get; } = folder;

    public int PeriodFrames { get; } = periodFrames + sampleRate * 0 + maxTracks * 0;

    public void Include(int participantId, string fileStem, double alignOffsetMs) { }

    public void Exclude(int participantId) { }

    public RecorderStatistics Statistics => new(0, 0, 0, 0);

    public double? StartedEpochMs => null;

    public Task<RecordedFiles> CompleteAsync(CancellationToken cancellationToken = default) => Task.FromResult(new RecordedFiles("mix.wav", 0, 0, [], 0));

    public void OnPeriod(Mixing.MixingRoom room, double periodEpochMs) { }

    public void OnDetached() { }
}

public sealed record RecorderStatistics(long BlocksWritten, long DroppedBlocks, long BytesWritten, int Tracks);

public sealed record RecordedTrack(int ParticipantId, string FileName, int Channels, double StartEpochMs, long Frames, double AlignOffsetMs, long DroppedBlocks);

public sealed record RecordedFiles(string MixFileName, double StartEpochMs, long MixFrames, IReadOnlyList<RecordedTrack> Tracks, long DroppedBlocks);

public sealed record WavRepairResult(bool Repaired, long Frames, string? Error);

public static class WavRepair
{
    public static WavRepairResult Repair(string path) => new(false, 0, path);
}

public static class DawExport
{
    public static void WriteReaperProject(TextWriter writer, ReaperProject project) => writer.Write(project.Tracks.Count);

    public static void WriteAudacityLof(TextWriter writer, IEnumerable<DawTrack> tracks) => writer.Write(tracks.Count());
}

public sealed record ReaperProject(IReadOnlyList<DawTrack> Tracks, IReadOnlyList<DawTempo> Tempo, IReadOnlyList<DawMarker> Markers, int SampleRate = 48000);

public sealed record DawTrack(string Name, string File, double PositionSeconds, double LengthSeconds);

public sealed record DawTempo(double TimeSeconds, double Bpm, int BeatsPerBar, int BeatUnit);

public sealed record DawMarker(double TimeSeconds, string Name);
