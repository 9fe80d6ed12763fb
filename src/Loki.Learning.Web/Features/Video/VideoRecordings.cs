using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Loki.Learning.Web.Features.Video;

/// One line of a take's <c>video.jsonl</c>: Janus started recording a person's camera or screen into files whose
/// names begin with <see cref="Base"/> (in the take's folder), at <see cref="EpochMs"/>. Appended and flushed as it
/// happens, so a crash keeps it and the files can still be converted.
public sealed record VideoFileLine(string Base, string PersonId, string DisplayName, string Kind, double EpochMs)
{
    public const string FileName = "video.jsonl";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// Reads what a take wrote; a line cut off by a crash (or otherwise unreadable) is skipped.
    public static List<VideoFileLine> Read(string path)
    {
        var lines = new List<VideoFileLine>();
        if (!File.Exists(path))
        {
            return lines;
        }
        foreach (var text in File.ReadLines(path))
        {
            try
            {
                if (JsonSerializer.Deserialize<VideoFileLine>(text, Json) is { Base.Length: > 0, PersonId: not null } line)
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
}

/// Which rooms on this node are recording a take now, and whose pictures go into it: only people the take records
/// (the room includes those whose consent allows recording; a camera needs video consent besides, which the relay
/// checks before anyone may send one). The recording feature tells it when a take starts, who is in it and when it
/// stops; each browser's relay (<see cref="RelayRecording"/>) watches its room and turns Janus' own recorder on or
/// off for the pictures it carries.
public sealed class VideoRecordings(TimeProvider clock, ILogger<VideoRecordings> logger)
{
    /// How long a stop waits for the relays to turn their recorders off.
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, RoomTake> _takes = new();
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<object, Func<Task>>> _watchers = new();

    /// Room <paramref name="roomId"/> records take <paramref name="recordingId"/> into <paramref name="folder"/> (a full path).
    public Task StartAsync(Guid roomId, Guid recordingId, string folder)
    {
        _takes[roomId] = new RoomTake(recordingId, folder);
        return NotifyAsync(roomId);
    }

    /// From now on the take records <paramref name="personId"/>'s camera and screen.
    public Task IncludeAsync(Guid roomId, Guid recordingId, string personId, string displayName)
    {
        if (!_takes.TryGetValue(roomId, out var take) || take.RecordingId != recordingId)
        {
            return Task.CompletedTask;
        }
        take.People[personId] = displayName;
        return NotifyAsync(roomId);
    }

    /// The take ended: the relays stop their recorders (Janus closes the files); returns once they have sent that.
    public Task StopAsync(Guid roomId, Guid recordingId) =>
        _takes.TryGetValue(roomId, out var take) && take.RecordingId == recordingId && _takes.TryRemove(new(roomId, take))
            ? NotifyAsync(roomId)
            : Task.CompletedTask;

    /// The take that records <paramref name="personId"/>'s pictures in the room now, if any.
    public Guid? RecordingOf(Guid roomId, string personId) =>
        _takes.TryGetValue(roomId, out var take) && take.People.ContainsKey(personId) ? take.RecordingId : null;

    /// A recorder starts for a person's picture: notes it in the take's <c>video.jsonl</c> and returns the full path
    /// Janus' files begin with (Janus adds the stream and <c>.mjr</c>). Null when the take no longer records them.
    public string? BeginFile(Guid roomId, Guid recordingId, string personId, VideoKind kind)
    {
        if (!_takes.TryGetValue(roomId, out var take) || take.RecordingId != recordingId || !take.People.TryGetValue(personId, out var name))
        {
            return null;
        }
        // A random name, so a second recorder of the same picture (a camera turned on again, a Janus restart) never
        // meets the first one's files; readable names are given at conversion.
        var stem = string.Create(CultureInfo.InvariantCulture, $"video-{JanusRelayRules.KindName(kind)}-{Guid.NewGuid():N}");
        var line = new VideoFileLine(stem, personId, name, JanusRelayRules.KindName(kind), (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds);
        lock (take)
        {
            File.AppendAllText(Path.Combine(take.Folder, VideoFileLine.FileName), line.ToJson() + "\n");
        }
        return Path.Combine(take.Folder, stem);
    }

    /// Calls <paramref name="changed"/> whenever the room's take starts, takes someone in or stops.
    public IDisposable Watch(Guid roomId, Func<Task> changed)
    {
        var key = new object();
        _watchers.GetOrAdd(roomId, _ => new())[key] = changed;
        return new Unwatch(() => _watchers.GetValueOrDefault(roomId)?.TryRemove(key, out _));
    }

    private async Task NotifyAsync(Guid roomId)
    {
        if (!_watchers.TryGetValue(roomId, out var watchers))
        {
            return;
        }
        foreach (var changed in watchers.Values)
        {
            try
            {
                await changed().WaitAsync(StopPatience);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A relay that cannot reach Janus any more has no recorder running either.
                logger.LogWarning("Video recording: a relay in room {RoomId} did not follow the take: {Reason}", roomId, exception.Message);
            }
        }
    }

    private sealed class RoomTake(Guid recordingId, string folder)
    {
        public Guid RecordingId { get; } = recordingId;

        public string Folder { get; } = folder;

        public ConcurrentDictionary<string, string> People { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Unwatch(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
