using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// The node asks the engine to record a room into a take's folder (docs/protocol.md §11.6): the engine runs a
/// <see cref="RoomRecorder"/> on the room, writing into <paramref name="Folder"/>, which must be a folder directly in
/// the recordings folder the engine was given at start-up; it answers with a <see cref="TakeAnswer"/>.
/// </summary>
/// <param name="RoomId">The engine's room id.</param>
/// <param name="Folder">The take's folder: absolute, directly in the engine's recordings folder, made by the node.</param>
/// <param name="MaxTracks">Tracks expected at once (sizes the recorder's block pool), 1 … <see cref="RecordingControl.MaxTracks"/>.</param>
public sealed record TakeStart(string RoomId, string Folder, int MaxTracks);

/// <summary>The node asks the engine to record a participant of a take from its next period on.</summary>
/// <param name="Folder">The take (its folder, as in <see cref="TakeStart"/>).</param>
/// <param name="ParticipantId">The engine's participant.</param>
/// <param name="FileStem">The file's name without <c>.wav</c>: letters, digits and dashes only.</param>
/// <param name="AlignOffsetMs">Audio to drop at the start (the participant's upstream delay), ms, finite and not negative.</param>
public sealed record TakeInclude(string Folder, int ParticipantId, string FileStem, double AlignOffsetMs);

/// <summary>The engine's answer to a <see cref="TakeStart"/>.</summary>
/// <param name="Folder">The take's folder (the node matches answers by it).</param>
/// <param name="Refusal">Why the take was not started, or null when the recorder is attached.</param>
public sealed record TakeAnswer(string Folder, string? Refusal);

/// <summary>
/// The engine's last word on a take: sent once, when its recorder has closed its files (the node stopped the take,
/// the room closed in the engine, or the node went away and is not told).
/// </summary>
/// <param name="Folder">The take's folder.</param>
/// <param name="Files">What was written (every file closed with a valid header), or null when nothing could be said.</param>
/// <param name="Error">What went wrong, or null.</param>
public sealed record TakeEnded(string Folder, RecordedFiles? Files, string? Error);

/// <summary>The recorder's frames on the control channel (docs/protocol.md §11.2 and §11.6, types 20–25).</summary>
public static class RecordingControl
{
    /// <summary>The most tracks a take may be sized for, and the most a <see cref="TakeEnded"/> may list.</summary>
    public const int MaxTracks = 4096;

    /// <summary>The longest alignment offset carried: the recorder uses at most 2 s of it.</summary>
    public const double MaxAlignOffsetMs = 60_000;

    /// <summary>Writes a whole <see cref="ControlMessage.StartRecording"/> frame.</summary>
    public static ReadOnlyMemory<byte> StartFrame(ControlWriter writer, TakeStart start)
    {
        writer.Begin(ControlMessage.StartRecording);
        writer.String(start.RoomId);
        writer.String(start.Folder);
        writer.Int32(start.MaxTracks);
        return writer.End();
    }

    /// <summary>Reads a start's fields (after the type byte).</summary>
    /// <exception cref="ControlProtocolException">A field missing, out of range, or bytes left over.</exception>
    public static TakeStart ReadStart(ref ControlReader r)
    {
        var start = new TakeStart(r.String("room id"), r.String("take folder"), r.Int32("max tracks", 1, MaxTracks));
        r.End("a recording start");
        return start;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.IncludeInRecording"/> frame.</summary>
    public static ReadOnlyMemory<byte> IncludeFrame(ControlWriter writer, TakeInclude include)
    {
        writer.Begin(ControlMessage.IncludeInRecording);
        writer.String(include.Folder);
        writer.Int32(include.ParticipantId);
        writer.String(include.FileStem);
        writer.Double(include.AlignOffsetMs);
        return writer.End();
    }

    /// <summary>Reads an include's fields (after the type byte); the offset must be finite, 0 … <see cref="MaxAlignOffsetMs"/>.</summary>
    public static TakeInclude ReadInclude(ref ControlReader r)
    {
        var include = new TakeInclude(r.String("take folder"), r.Int32("participant id"), r.String("file stem"), r.Double("align offset"));
        r.End("a recording include");
        if (!double.IsFinite(include.AlignOffsetMs) || include.AlignOffsetMs is < 0 or > MaxAlignOffsetMs)
        {
            throw new ControlProtocolException("A recording include's alignment offset is not a number of milliseconds from 0 to 60,000.");
        }
        return include;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.ExcludeFromRecording"/> frame.</summary>
    public static ReadOnlyMemory<byte> ExcludeFrame(ControlWriter writer, string folder, int participantId)
    {
        writer.Begin(ControlMessage.ExcludeFromRecording);
        writer.String(folder);
        writer.Int32(participantId);
        return writer.End();
    }

    /// <summary>Reads an exclude's fields (after the type byte).</summary>
    public static (string Folder, int ParticipantId) ReadExclude(ref ControlReader r)
    {
        var exclude = (r.String("take folder"), r.Int32("participant id"));
        r.End("a recording exclude");
        return exclude;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.StopRecording"/> frame.</summary>
    public static ReadOnlyMemory<byte> StopFrame(ControlWriter writer, string folder)
    {
        writer.Begin(ControlMessage.StopRecording);
        writer.String(folder);
        return writer.End();
    }

    /// <summary>Reads a stop's field (after the type byte).</summary>
    public static string ReadStop(ref ControlReader r)
    {
        var folder = r.String("take folder");
        r.End("a recording stop");
        return folder;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.RecordingAnswer"/> frame.</summary>
    public static ReadOnlyMemory<byte> AnswerFrame(ControlWriter writer, TakeAnswer answer)
    {
        writer.Begin(ControlMessage.RecordingAnswer);
        writer.String(answer.Folder);
        OptionalString(writer, answer.Refusal);
        return writer.End();
    }

    /// <summary>Reads an answer's fields (after the type byte).</summary>
    public static TakeAnswer ReadAnswer(ref ControlReader r)
    {
        var answer = new TakeAnswer(r.String("take folder"), r.Bool("refusal present") ? r.String("refusal") : null);
        r.End("a recording answer");
        return answer;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.RecordingEnded"/> frame.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxTracks"/> tracks.</exception>
    public static ReadOnlyMemory<byte> EndedFrame(ControlWriter writer, TakeEnded ended)
    {
        writer.Begin(ControlMessage.RecordingEnded);
        writer.String(ended.Folder);
        OptionalString(writer, ended.Error);
        writer.Bool(ended.Files is not null);
        if (ended.Files is { } files)
        {
            if (files.Tracks.Count > MaxTracks)
            {
                throw new ArgumentException("A take ended with more tracks than a frame carries.", nameof(ended));
            }
            writer.String(files.MixFileName);
            writer.Double(files.StartEpochMs);
            writer.Int64(files.MixFrames);
            writer.Int64(files.DroppedBlocks);
            writer.Int32(files.Tracks.Count);
            foreach (var track in files.Tracks)
            {
                writer.Int32(track.ParticipantId);
                writer.String(track.FileName);
                writer.Int32(track.Channels);
                writer.Double(track.StartEpochMs);
                writer.Int64(track.Frames);
                writer.Double(track.AlignOffsetMs);
                writer.Int64(track.DroppedBlocks);
                writer.OptionalInt32(track.Channel);
            }
        }
        return writer.End();
    }

    /// <summary>
    /// Reads an ended take (after the type byte). Counts must not be negative, times must be finite, a track has 1 …
    /// <see cref="MixParticipant.MaxInputChannels"/> channels and its channel number is in that range.
    /// </summary>
    public static TakeEnded ReadEnded(ref ControlReader r)
    {
        var folder = r.String("take folder");
        var error = r.Bool("error present") ? r.String("error") : null;
        RecordedFiles? files = null;
        if (r.Bool("files present"))
        {
            var mix = r.String("mix file");
            var start = Finite(r.Double("start"), "start");
            var mixFrames = NotNegative(r.Int64("mix frames"), "mix frames");
            var dropped = NotNegative(r.Int64("dropped blocks"), "dropped blocks");
            var count = r.Int32("track count", 0, MaxTracks);
            var tracks = new List<RecordedTrack>(count);
            for (var i = 0; i < count; i++)
            {
                var participant = r.Int32("participant id");
                var file = r.String("track file");
                var channels = r.Int32("track channels", 1, MixParticipant.MaxInputChannels);
                var trackStart = Finite(r.Double("track start"), "track start");
                var frames = NotNegative(r.Int64("track frames"), "track frames");
                var offset = Finite(r.Double("track offset"), "track offset");
                var trackDropped = NotNegative(r.Int64("track dropped blocks"), "track dropped blocks");
                var channel = r.OptionalInt32("track channel");
                if (channel is < 1 or > MixParticipant.MaxInputChannels)
                {
                    throw new ControlProtocolException("A recorded track's channel is outside 1 … 16.");
                }
                tracks.Add(new RecordedTrack(participant, file, channels, trackStart, frames, offset, trackDropped) { Channel = channel });
            }
            files = new RecordedFiles(mix, start, mixFrames, tracks, dropped);
        }
        r.End("a recording end");
        return new TakeEnded(folder, files, error);
    }

    private static void OptionalString(ControlWriter writer, string? value)
    {
        writer.Bool(value is not null);
        if (value is not null)
        {
            writer.String(value);
        }
    }

    private static double Finite(double value, string field) =>
        double.IsFinite(value) ? value : throw new ControlProtocolException($"The field '{field}' is not a finite number.");

    private static long NotNegative(long value, string field) =>
        value >= 0 ? value : throw new ControlProtocolException($"The field '{field}' is negative.");
}
