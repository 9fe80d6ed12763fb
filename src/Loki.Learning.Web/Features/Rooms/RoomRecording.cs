using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Web.Features.Rooms;

/// A recorder on a room's audio (<see cref="RoomMedia.RecordAsync"/>): a <see cref="RoomRecorder"/> tapped into the engine
/// in this process, or one the child engine runs (decision 0010, step 4). The recording feature drives both alike; it
/// decides whom to include (consent), this only carries it to the recorder.
public interface IRoomRecording
{
    /// The take's folder, where the WAVs are written.
    string Folder { get; }

    /// Completes when the engine that records the take ended before the take was stopped (a killed or hung child): the
    /// files written until then are on the disk, headers at most a second old. Never completes in this process.
    Task Lost { get; }

    /// Records the participant from its next period on into <c>fileStem.wav</c>, dropping the first
    /// <paramref name="alignOffsetMs"/> of its audio (<see cref="RoomRecorder.Include"/>).
    void Include(int participantId, string fileStem, double alignOffsetMs);

    /// Stops recording the participant (its file is closed and kept).
    void Exclude(int participantId);

    /// Detaches the recorder, waits for its files to be closed, and answers what was written.
    /// <exception cref="InvalidOperationException">The engine lost the take, or did not close it in time.</exception>
    Task<RecordedFiles> StopAsync();
}

/// The recorder on the engine in this process: an <see cref="AttachTap"/> of a <see cref="RoomRecorder"/>.
internal sealed class TapRoomRecording(RoomMedia media, string mediaRoom, RoomRecorder recorder) : IRoomRecording
{
    /// How long a stop waits for the recorder's writer to close its files.
    public static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);

    public string Folder => recorder.Folder;

    public Task Lost { get; } = new TaskCompletionSource().Task;

    public RoomRecorder Recorder => recorder;

    public void Include(int participantId, string fileStem, double alignOffsetMs) => recorder.Include(participantId, fileStem, alignOffsetMs);

    public void Exclude(int participantId) => recorder.Exclude(participantId);

    public async Task<RecordedFiles> StopAsync()
    {
        media.Post(new DetachTap(mediaRoom, recorder));
        return await recorder.CompleteAsync().WaitAsync(StopLimit);
    }
}
