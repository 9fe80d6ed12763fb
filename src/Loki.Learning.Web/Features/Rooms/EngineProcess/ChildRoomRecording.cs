using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// A take recorded by the child engine (decision 0010, step 4): the child runs the <see cref="RoomRecorder"/> in the
/// take's folder; this side passes on whom to include and when to stop, and hears what was written. When the child that
/// records it ends (killed, or hung and killed by the heartbeat), <see cref="Lost"/> completes: the files written until
/// then stay in the folder, each WAV's header at most a second old, for the node to store as a recovered take.
internal sealed class ChildRoomRecording : IRoomRecording
{
    private readonly EngineChild _child;
    private readonly int _processId;
    private readonly Task<TakeEnded> _ended;
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildRoomRecording(EngineChild child, string folder, Task<TakeEnded> ended, int processId)
    {
        _child = child;
        Folder = folder;
        _ended = ended;
        _processId = processId;
        _ = ended.ContinueWith(t => _lost.TrySetResult(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// Starts the take in the child. Null when no child is ready.
    /// <exception cref="IOException">The child refused the folder, or did not answer.</exception>
    public static async Task<IRoomRecording?> StartAsync(EngineChild child, string mediaRoom, string folder, int maxTracks) =>
        await child.StartRecordingAsync(new TakeStart(mediaRoom, folder, maxTracks)) is { } started
            ? new ChildRoomRecording(child, folder, started.Ended, started.ProcessId)
            : null;

    public string Folder { get; }

    public Task Lost => _lost.Task;

    public void Include(int participantId, string fileStem, double alignOffsetMs)
    {
        var include = new TakeInclude(Folder, participantId, fileStem, Math.Clamp(alignOffsetMs, 0, RecordingControl.MaxAlignOffsetMs));
        _child.PostRecording(_processId, w => RecordingControl.IncludeFrame(w, include));
    }

    public void Exclude(int participantId) => _child.PostRecording(_processId, w => RecordingControl.ExcludeFrame(w, Folder, participantId));

    public async Task<RecordedFiles> StopAsync()
    {
        var folder = Folder;
        _child.PostRecording(_processId, w => RecordingControl.StopFrame(w, folder));
        TakeEnded ended;
        try
        {
            ended = await _ended.WaitAsync(TapRoomRecording.StopLimit);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The media engine process {_processId} did not close the take in {folder} within {TapRoomRecording.StopLimit.TotalSeconds:0} s.");
        }
        return ended.Files ?? throw new InvalidOperationException($"The media engine process did not record the take in {folder}: {ended.Error}");
    }
}
