using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;

namespace Loki.Learning.Web.Features.Rooms;

/// What records a room's takes on this node. Declared here and implemented by the recording feature, so a room
/// drives its recorder without depending on it (features point one way: Recording uses Rooms, not back).
public interface IRoomTakes
{
    /// Starts take <paramref name="recordingId"/> of the engine room <paramref name="mediaRoom"/> into <paramref name="folder"/>;
    /// false when this node has no audio engine.
    bool Start(Guid recordingId, string mediaRoom, string folder, BeatTimeline beat, string? scoreTitle);

    /// Detaches the recorder, waits for its files and stores the take.
    Task StopAsync(Guid recordingId);

    bool IsRecording(Guid recordingId);

    /// What a change in the room means for the running take (see <see cref="LiveRoom"/>).
    void Apply(Guid recordingId, IReadOnlyList<TakeChange> changes);

    void Marker(Guid recordingId, string name);

    /// A take that no node records any more (its node died): what reached the disk is stored as recovered.
    Task RepairAsync(Guid recordingId);
}
