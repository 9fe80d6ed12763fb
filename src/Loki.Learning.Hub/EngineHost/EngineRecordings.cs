using System.Globalization;
using System.Text.RegularExpressions;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Hub.EngineHost;

/// <summary>
/// The engine process's recorders (docs/protocol.md §11.6): one <see cref="RoomRecorder"/> per take, a tap on the room
/// writing into the take's folder. A folder is only ever one the node made directly in the recordings folder this
/// engine was given at start-up (<c>--recordings</c>): a path from the control channel that points anywhere else, climbs
/// with <c>..</c>, is or holds a link, is refused and logged. When a recorder has closed its files the node is told what
/// was written (<see cref="TakeEnded"/>). When the node goes away, every take is closed so that its files are whole.
/// </summary>
/// <remarks>Called from the control connection's reader and the event pump; one lock guards the table.</remarks>
internal sealed partial class EngineRecordings(MediaEngine engine, string? root, Action<string> write, Func<TakeEnded, Task> report)
{
    /// <summary>The most takes one engine records at once (one per room; a node has far fewer rooms open).</summary>
    public const int MaxTakes = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Take> _takes = new(StringComparer.Ordinal);
    private readonly string? _root = root is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    /// <summary>Takes being recorded now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _takes.Count;
            }
        }
    }

    /// <summary>Starts a recorder in the take's folder and posts its tap to the engine.</summary>
    public TakeAnswer Start(TakeStart request)
    {
        string? refusal;
        lock (_gate)
        {
            refusal = _root is null ? "this engine was started without a recordings folder (--recordings)"
                : _takes.Count >= MaxTakes ? $"this engine records {MaxTakes} takes already"
                : _takes.ContainsKey(request.Folder) ? "a take is being recorded into this folder already"
                : CheckFolder(request.Folder, _root);
        }
        Take? take = null;
        if (refusal is null)
        {
            try
            {
                take = new Take(request.RoomId, request.Folder, new RoomRecorder(request.Folder, engine.Options.PeriodFrames, engine.Options.SampleRate, request.MaxTracks));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
            {
                refusal = $"the recorder cannot write there ({exception.Message})";
            }
        }
        if (take is null)
        {
            write($"engine: recording of room {Printable(request.RoomId)} refused: {refusal}");
            return new TakeAnswer(request.Folder, refusal);
        }
        lock (_gate)
        {
            if (!engine.Post(new AttachTap(request.RoomId, take.Recorder)))
            {
                take.Recorder.OnDetached();
                write($"engine: recording of room {Printable(request.RoomId)} refused: the engine's command queue is full or it is stopping");
                return new TakeAnswer(request.Folder, "the engine's command queue is full or the engine is stopping");
            }
            _takes[request.Folder] = take;
            take.Completion = CompleteAsync(take);
        }
        write($"engine: recording room {Printable(request.RoomId)} into {request.Folder}");
        return new TakeAnswer(request.Folder, null);
    }

    /// <summary>Records a participant of a take from its next period on.</summary>
    /// <returns>What to tell the node when that cannot be done, or null.</returns>
    public string? Include(TakeInclude include)
    {
        if (Find(include.Folder) is not { } take)
        {
            return $"No take is being recorded into {Printable(include.Folder)}; participant {include.ParticipantId} not included.";
        }
        if (!FileStem().IsMatch(include.FileStem))
        {
            write($"engine: track {Printable(include.FileStem)} refused: a file stem is letters, digits and dashes");
            return $"The file stem {Printable(include.FileStem)} is not letters, digits and dashes; participant {include.ParticipantId} not included.";
        }
        try
        {
            take.Recorder.Include(include.ParticipantId, include.FileStem, include.AlignOffsetMs);
        }
        catch (ArgumentException exception)
        {
            return $"Participant {include.ParticipantId} not included: {exception.Message}";
        }
        return null;
    }

    /// <summary>Stops recording a participant of a take.</summary>
    public string? Exclude(string folder, int participantId)
    {
        if (Find(folder) is not { } take)
        {
            return $"No take is being recorded into {Printable(folder)}; participant {participantId} not excluded.";
        }
        take.Recorder.Exclude(participantId);
        return null;
    }

    /// <summary>Detaches a take's recorder; the node hears <see cref="TakeEnded"/> once its files are closed.</summary>
    public string? Stop(string folder)
    {
        if (Find(folder) is not { } take)
        {
            return $"No take is being recorded into {Printable(folder)}; nothing stopped.";
        }
        Detach(take);
        return null;
    }

    /// <summary>The engine refused a recorder's tap (the room is not open here): the take ends with nothing recorded.</summary>
    public void Refused(AttachTap command, CommandRefusal refusal)
    {
        Take? take;
        lock (_gate)
        {
            take = _takes.Values.FirstOrDefault(t => ReferenceEquals(t.Recorder, command.Tap));
        }
        if (take is not null)
        {
            take.Problem = $"the engine refused to record room {Printable(command.RoomId)} ({refusal})";
            write($"engine: {take.Problem}");
            take.Recorder.OnDetached();
        }
    }

    /// <summary>
    /// Closes every take (the node went away, or the engine stops): each recorder writes what is queued and closes its
    /// files with valid headers. Waits up to <paramref name="limit"/>.
    /// </summary>
    public async Task CloseAllAsync(string why, TimeSpan limit)
    {
        List<Take> takes;
        lock (_gate)
        {
            takes = [.. _takes.Values];
        }
        if (takes.Count == 0)
        {
            return;
        }
        write(string.Create(CultureInfo.InvariantCulture, $"engine: {why}: closing {takes.Count} take(s)"));
        foreach (var take in takes)
        {
            Detach(take);
        }
        await Task.WhenAll(takes.Select(t => t.Completion)).WaitAsync(limit).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Why <paramref name="folder"/> may not be a take's folder, or null when it may.</summary>
    internal static string? CheckFolder(string folder, string root)
    {
        if (!Path.IsPathFullyQualified(folder))
        {
            return $"the folder {Printable(folder)} is not absolute";
        }
        if (Path.GetFullPath(folder) != folder || Path.GetDirectoryName(folder) != root)
        {
            return $"the folder {Printable(folder)} is outside the node's recordings folder {root}";
        }
        if (!TakeName().IsMatch(Path.GetFileName(folder)))
        {
            return $"the folder name {Printable(Path.GetFileName(folder))} is not letters, digits and dashes";
        }
        var info = new DirectoryInfo(folder);
        if (info.LinkTarget is not null || (info.Exists && info.Attributes.HasFlag(FileAttributes.ReparsePoint)))
        {
            return $"the folder {Printable(folder)} is a link";
        }
        if (!info.Exists)
        {
            return $"the folder {Printable(folder)} does not exist (the node makes it)";
        }
        if (info.EnumerateFileSystemInfos().FirstOrDefault(e => e.LinkTarget is not null) is { } link)
        {
            return $"the folder {Printable(folder)} holds a link ({Printable(link.Name)})";
        }
        return null;
    }

    private Take? Find(string folder)
    {
        lock (_gate)
        {
            return _takes.GetValueOrDefault(folder);
        }
    }

    private void Detach(Take take)
    {
        if (!engine.Post(new DetachTap(take.RoomId, take.Recorder)))
        {
            take.Recorder.OnDetached(); // the engine is stopping: close the files here
        }
    }

    /// <summary>Waits for the recorder to close its files, then tells the node what it wrote.</summary>
    private async Task CompleteAsync(Take take)
    {
        TakeEnded ended;
        try
        {
            var files = await take.Recorder.CompleteAsync();
            ended = new TakeEnded(take.Folder, files, take.Problem);
            write(string.Create(CultureInfo.InvariantCulture, $"engine: take in {take.Folder} closed: {files.Tracks.Count} tracks, {files.MixFrames} frames of mix, {files.DroppedBlocks} dropped blocks"));
        }
        catch (Exception exception)
        {
            ended = new TakeEnded(take.Folder, null, $"the recorder failed: {exception.Message}");
            write($"engine: take in {take.Folder} failed: {exception.Message}");
        }
        lock (_gate)
        {
            _takes.Remove(take.Folder);
        }
        await report(ended);
    }

    private static string Printable(string text) => EngineAudiences.Printable(text);

    [GeneratedRegex("^[A-Za-z0-9-]{1,100}$")]
    private static partial Regex TakeName();

    [GeneratedRegex("^[\\p{L}\\p{N}-]{1,100}$")]
    private static partial Regex FileStem();

    private sealed class Take(string roomId, string folder, RoomRecorder recorder)
    {
        public string RoomId { get; } = roomId;

        public string Folder { get; } = folder;

        public RoomRecorder Recorder { get; } = recorder;

        public Task Completion { get; set; } = Task.CompletedTask;

        /// <summary>Why the take ended early, if it did (set before the recorder is detached, read after it completed).</summary>
        public string? Problem { get; set; }
    }
}
