using System.Collections.Concurrent;
using Loki.Learning.Media.EngineControl;

namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// The recorder in the child (decision 0010, step 4; docs/protocol.md §11.6): the node asks the child to record a room
/// into a take's folder, tells it whom to include and when to stop, and learns from the child what was written. Each
/// take belongs to the child process that started it: when that child ends, the take is lost (its files stay as far
/// as they were written) and frames for it are no longer sent to a later child.
public sealed partial class EngineChild
{
    /// How long the node waits for the child to start a take.
    private static readonly TimeSpan TakeLimit = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<TakeAnswer>> _takeAnswers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChildTake> _takes = new(StringComparer.Ordinal);

    /// Asks the child to record <paramref name="start"/>'s room into its folder.
    /// <returns>The take's end (what the child wrote; faulted with <see cref="EngineLostException"/> when the child
    /// ended first) and the child's process id; null when no child is ready.</returns>
    /// <exception cref="IOException">The child refused the take (its reason is the message) or did not answer in time.</exception>
    public async Task<(Task<TakeEnded> Ended, int ProcessId)?> StartRecordingAsync(TakeStart start)
    {
        if (_session is not { Ready: true } session)
        {
            return null;
        }
        var answer = new TaskCompletionSource<TakeAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var take = new ChildTake(session.ProcessId);
        if (!_takes.TryAdd(start.Folder, take))
        {
            throw new IOException($"A take is being recorded into {start.Folder} already.");
        }
        _takeAnswers[start.Folder] = answer;
        try
        {
            if (!session.Commands.Writer.TryWrite(Frame(w => RecordingControl.StartFrame(w, start))))
            {
                throw new IOException("The media engine process's command queue is full.");
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(session.End.Token);
            limit.CancelAfter(TakeLimit);
            TakeAnswer answered;
            try
            {
                answered = await answer.Task.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new IOException(Invariant($"The media engine process {session.ProcessId} did not start the take within {TakeLimit.TotalSeconds:0} s."));
            }
            if (answered.Refusal is { } refusal)
            {
                throw new IOException($"The media engine process refused the take: {refusal}");
            }
            return (take.Ended.Task, session.ProcessId);
        }
        catch
        {
            _takes.TryRemove(new KeyValuePair<string, ChildTake>(start.Folder, take));
            throw;
        }
        finally
        {
            _takeAnswers.TryRemove(start.Folder, out _);
        }
    }

    /// Queues a frame about a take for the child that started it (process <paramref name="processId"/>).
    /// <returns>false when that child no longer runs or its queue is full.</returns>
    public bool PostRecording(int processId, Func<ControlWriter, ReadOnlyMemory<byte>> frame) =>
        _session is { } session && session.ProcessId == processId && session.Commands.Writer.TryWrite(frame);

    private static Func<ControlWriter, ReadOnlyMemory<byte>> Frame(Func<ControlWriter, ReadOnlyMemory<byte>> frame) => frame;

    /// A recording frame from the child (types 24–25).
    private string? HandleRecording(ControlMessage type, ref ControlReader reader)
    {
        if (type == ControlMessage.RecordingAnswer)
        {
            var answer = RecordingControl.ReadAnswer(ref reader);
            if (_takeAnswers.TryGetValue(answer.Folder, out var waiting))
            {
                waiting.TrySetResult(answer);
                return null;
            }
            return "A recording answer for a take this node did not ask for (or no longer waits for); ignored.";
        }
        var ended = RecordingControl.ReadEnded(ref reader);
        if (_takes.TryRemove(ended.Folder, out var take))
        {
            take.Ended.TrySetResult(ended);
            return null;
        }
        return "A recording end for a take this node does not know; ignored.";
    }

    /// The child that recorded these takes ended: they are lost (what reached the disk stays there).
    private void LoseTakes(int processId, string how)
    {
        foreach (var (folder, take) in _takes)
        {
            if (take.ProcessId == processId && _takes.TryRemove(new KeyValuePair<string, ChildTake>(folder, take)))
            {
                take.Ended.TrySetException(new EngineLostException($"The media engine process {processId} ended ({how}) while it recorded into {folder}."));
            }
        }
    }

    private sealed class ChildTake(int processId)
    {
        public int ProcessId { get; } = processId;

        public TaskCompletionSource<TakeEnded> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// The engine process that ran something for the node ended before it was done.
public sealed class EngineLostException(string message) : InvalidOperationException(message);
