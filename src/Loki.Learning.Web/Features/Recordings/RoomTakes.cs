using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Features.Recordings;

/// The recording feature's side of <see cref="IRoomTakes"/>: the node's recorders, and the repair of a take cut off.
public sealed class RoomTakes(RoomRecorders recorders, RecordingRecovery recovery) : IRoomTakes
{
    public bool Start(Guid recordingId, string mediaRoom, string folder, BeatTimeline beat, string? scoreTitle) =>
        recorders.Start(recordingId, mediaRoom, folder, beat, scoreTitle);

    public Task StopAsync(Guid recordingId) => recorders.StopAsync(recordingId);

    public bool IsRecording(Guid recordingId) => recorders.IsRecording(recordingId);

    public void Apply(Guid recordingId, IReadOnlyList<TakeChange> changes) => recorders.Apply(recordingId, changes);

    public void Marker(Guid recordingId, string name) => recorders.Marker(recordingId, name);

    public Task RepairAsync(Guid recordingId) => recovery.RepairTakeAsync(recordingId);
}
