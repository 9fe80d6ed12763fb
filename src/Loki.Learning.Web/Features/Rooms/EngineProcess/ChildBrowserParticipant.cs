using Loki.Learning.Media.Engine;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// A browser participant whose socket stays in this (the web) process while its audio is mixed by the child engine
/// (decision 0010 step 1): the child made a participant ring file in the node's private folder and mixes it; this is the
/// web side's end of it (<see cref="SharedParticipantTransport"/>, woken by the node's one poller thread). Disposing it
/// closes this end, tells the child to let the participant go and removes the file; a child that no longer hears this
/// end (the web process was killed) lets it go by itself.
public sealed class ChildBrowserParticipant : IParticipantTransport
{
    /// How long a socket that arrives while the child restarts waits for it before it is refused.
    public static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(100);

    private readonly EngineChild _child;
    private readonly SharedParticipantTransport _transport;
    private readonly string _mediaRoom;
    private readonly string _path;
    private readonly int _madeBy;
    private int _disposed;

    private ChildBrowserParticipant(EngineChild child, SharedParticipantTransport transport, string mediaRoom, int participantId, string path, int madeBy)
    {
        _child = child;
        _transport = transport;
        _mediaRoom = mediaRoom;
        _path = path;
        _madeBy = madeBy;
        ParticipantId = participantId;
    }

    /// Attaches a participant in the child (waiting up to <see cref="ReadyLimit"/> for a child that is starting again).
    /// <exception cref="InvalidOperationException">No child became ready, or it refused or did not answer.</exception>
    public static async Task<ChildBrowserParticipant> AttachAsync(EngineChild child, string mediaRoom, string clientName, int channels, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (!child.Ready)
        {
            if (waited >= ReadyLimit)
            {
                throw new InvalidOperationException($"No media engine process became ready within {ReadyLimit.TotalSeconds:0} s.");
            }
            await Task.Delay(ReadyPoll, cancellationToken);
            waited += ReadyPoll;
        }
        var (transport, participantId, path, madeBy) = await child.AttachBrowserAsync(mediaRoom, clientName, channels, cancellationToken);
        return new ChildBrowserParticipant(child, transport, mediaRoom, participantId, path, madeBy);
    }

    /// The engine-wide id the child gave the participant (commands and events name it).
    public int ParticipantId { get; }

    /// The ring file (in the node's private folder).
    public string Path => _path;

    /// The child that mixes this participant is gone (killed, or silent for 2 s): the participant was not let go, its
    /// engine ended. The page is told to join again, and reaches the engine the node started in its place.
    public bool EngineGone => _transport.EngineGone;

    /// The child let the participant go because this process's end went silent for 2 s (it stalled): not removed, so
    /// the page may join again, as after an engine restart.
    public bool DroppedAsSilent => _transport.DroppedAsSilent;

    /// The page should join again and reconnect: the engine is gone, or it dropped this end after a stall here.
    public bool ShouldRejoin => EngineGone || DroppedAsSilent;

    public int Channels => _transport.Channels;

    public int PeriodFrames => _transport.PeriodFrames;

    public bool HasLeft => _transport.HasLeft;

    public bool WriteInput(uint sequence, long senderTimestampMicros, ReadOnlySpan<float> interleaved) =>
        _transport.WriteInput(sequence, senderTimestampMicros, interleaved);

    public bool TryReadOutput(Span<float> interleaved, out uint sequence) => _transport.TryReadOutput(interleaved, out sequence);

    public ValueTask WaitForOutputAsync(CancellationToken cancellationToken) => _transport.WaitForOutputAsync(cancellationToken);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _transport.Dispose();
        _child.DetachBrowser(_mediaRoom, _path, _madeBy);
    }
}
