using System.Collections.Concurrent;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Everything that reaches the mix thread from other threads: the control plane's commands, participants to attach
/// (from the handshake path and <see cref="MediaEngine.AttachExternal"/>), and the ids of external participants whose
/// transport let go. Any thread writes; the mix thread alone reads. Every queue is lock-free, so neither side ever
/// waits for the other (see <see cref="CommandInbox"/>).
/// </summary>
internal sealed class MixInbox(int commandCapacity)
{
    private readonly ConcurrentQueue<ParticipantSession> _attachments = new();
    private readonly ConcurrentQueue<int> _detachments = new();

    /// <summary>Commands posted with <see cref="MediaEngine.Post"/>.</summary>
    public CommandInbox Commands { get; } = new(commandCapacity);

    /// <summary>Whether a participant waits to be attached (any thread).</summary>
    public bool HasAttachments => !_attachments.IsEmpty;

    /// <summary>Hands a new participant to the mix thread; it is attached at the start of the next period.</summary>
    public void Attach(ParticipantSession session) => _attachments.Enqueue(session);

    /// <summary>Asks the mix thread to let an external participant leave (its transport disposed it).</summary>
    public void Detach(int participantId) => _detachments.Enqueue(participantId);

    public bool TryTakeAttachment(out ParticipantSession session) => _attachments.TryDequeue(out session!);

    public bool TryTakeDetachment(out int participantId) => _detachments.TryDequeue(out participantId);
}
