namespace Loki.Learning.Media.Engine;

/// <summary>
/// The transport's end of an external participant (a browser's socket handler uses it): blocks in, personal mix out.
/// In the engine's process that is the <see cref="ExternalParticipant"/> itself; from another process it is a
/// <see cref="SharedMemory.SharedParticipantTransport"/> over the participant's ring file. Threading: one writer thread
/// and one reader thread at a time; never blocks.
/// </summary>
public interface IParticipantTransport : IDisposable
{
    /// <summary>Channels of the input and of the personal mix: 1 or 2.</summary>
    int Channels { get; }

    /// <summary>Frames in every output period.</summary>
    int PeriodFrames { get; }

    /// <summary><c>true</c> once the participant left (disposed, removed, its room closed, the engine stopped or gone).</summary>
    bool HasLeft { get; }

    /// <summary>Queues one block of the participant's audio for the mix thread (see <see cref="ExternalParticipant.WriteInput"/>).</summary>
    bool WriteInput(uint sequence, long senderTimestampMicros, ReadOnlySpan<float> interleaved);

    /// <summary>Takes the oldest personal-mix period kept (see <see cref="ExternalParticipant.TryReadOutput"/>).</summary>
    bool TryReadOutput(Span<float> interleaved, out uint sequence);

    /// <summary>Completes when an output period is ready or the participant has left. One waiter at a time.</summary>
    ValueTask WaitForOutputAsync(CancellationToken cancellationToken);
}
