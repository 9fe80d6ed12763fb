using Loki.Learning.Web.Features.Music;

namespace Loki.Learning.Web.Features.Rooms;

/// Something that happened in a live room and that other features react to (recordings, the audience stream).
/// The room decides and persists first, then publishes (<see cref="RoomEventSink"/>); a subscriber never calls back
/// into the decision it is told about, it may only report a problem of its own (<see cref="IRoomGrain.ReportTakeProblemAsync"/>).
/// Events of one room reach subscribers in the order the room decided them, on the node that hosts the room.
public abstract record RoomEvent(Guid RoomId)
{
    /// The media engine's name for the room.
    public string MediaRoom => RoomId.ToString("N");
}

public sealed record LiveRoomOpened(Guid RoomId, RoomDescription Description) : RoomEvent(RoomId);

/// The room closed: everyone left, its audio ended. (A running take was stopped just before: <see cref="TakeStopped"/>.)
public sealed record LiveRoomClosed(Guid RoomId) : RoomEvent(RoomId);

public sealed record PersonJoined(Guid RoomId, string PersonId, string DisplayName, RoomRole Role) : RoomEvent(RoomId);

public sealed record PersonLeft(Guid RoomId, string PersonId) : RoomEvent(RoomId);

/// The host removed the person: their connections ended and a locked room no longer lets them in.
public sealed record PersonRemoved(Guid RoomId, string PersonId) : RoomEvent(RoomId);

/// A person's audio arrives over media participant <paramref name="MediaId"/> (their settings apply to it).
public sealed record AudioConnected(Guid RoomId, string PersonId, int MediaId, AudioVia Via) : RoomEvent(RoomId);

public sealed record AudioDisconnected(Guid RoomId, string PersonId, int MediaId) : RoomEvent(RoomId);

/// The host started take <paramref name="RecordingId"/>, to be written into <paramref name="Folder"/>; the room shows
/// it as recording from now on. Whoever records reports a take it could not start.
public sealed record TakeStarted(Guid RoomId, Guid RecordingId, string Folder, BeatTimeline Beat, string? ScoreTitle) : RoomEvent(RoomId);

/// The take ended (the host stopped it, the room closed, or the room left this node in order): store it.
public sealed record TakeStopped(Guid RoomId, Guid RecordingId) : RoomEvent(RoomId);

/// The room came back after the node recording <paramref name="RecordingId"/> was lost: keep what reached the disk.
public sealed record TakeCutOff(Guid RoomId, Guid RecordingId) : RoomEvent(RoomId);

/// A connected participant with consent goes into the running take from now on (nobody else is ever recorded).
public sealed record TrackIncluded(Guid RoomId, Guid RecordingId, int MediaId, string PersonId, string DisplayName, double? OneWayMs, double JitterMs) : RoomEvent(RoomId);

/// The counterpart of <see cref="TrackIncluded"/>: that connection leaves the take.
public sealed record TrackExcluded(Guid RoomId, Guid RecordingId, int MediaId, string DisplayName) : RoomEvent(RoomId);

public sealed record MarkerDropped(Guid RoomId, Guid RecordingId, string Name) : RoomEvent(RoomId);

/// The beat timeline changed (tempo, metre, start, stop, count-in).
public sealed record BeatChanged(Guid RoomId, BeatTimeline Beat) : RoomEvent(RoomId);

/// The score everyone follows changed, or there is none now.
public sealed record ScoreChanged(Guid RoomId, ScoreChoice? Score) : RoomEvent(RoomId);
