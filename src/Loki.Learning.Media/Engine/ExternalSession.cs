using System.Diagnostics;
using System.Net;
using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// A participant whose transport the engine does not own (a browser's WebSocket), seen through the lock-free queues of
/// its <see cref="ExternalParticipant"/>. It joins its room when attached (room capacity applies); no timeout applies,
/// since its transport owns its lifetime (a quiet browser may still be listening).
/// </summary>
internal sealed class ExternalSession(ExternalParticipant external, string clientName, string roomId, IPEndPoint remoteEndPoint, long admittedAt)
    : ParticipantSession(external.ParticipantId, clientName, roomId, admittedAt, external.Level)
{
    /// <summary>The transport's end of the queues.</summary>
    public ExternalParticipant External { get; } = external;

    /// <inheritdoc />
    public override long InputDropped => External.DroppedInputBlocks;

    /// <inheritdoc />
    protected override ExternalPathTimes? ExternalPath => External.PathTimes;

    /// <inheritdoc />
    public override IPEndPoint? PeerEndPoint() => remoteEndPoint;

    /// <summary>Joins the room at the start of the period after the attachment; a full room makes it leave at once.</summary>
    public override void Attach(MixState state)
    {
        var channels = External.Channels;
        var room = state.Rooms.Open(RoomId);
        var participant = room.AddParticipant(ParticipantId, channels, channels);
        if (participant is null)
        {
            state.Leave(this, LeaveReason.RoomFull, sendExit: false);
            return;
        }
        WireChannels = channels;
        JoinRoom(room, participant);
        state.Joined(this, channels, channels, state.Options.PeriodFrames);
    }

    /// <summary>
    /// Moves the queued blocks into the jitter buffer. Their arrival time is when the transport handed them over
    /// (<see cref="ExternalParticipant.WriteInput"/>), not now, so the jitter measure is the network's.
    /// </summary>
    public override void Receive(MixState state, ref long firstReceive)
    {
        if (!Joined)
        {
            return; // the room was full: nothing to feed
        }
        var now = 0L;
        while (External.TryPeekInput(out var block, out var planar))
        {
            if (firstReceive == 0)
            {
                firstReceive = Stopwatch.GetTimestamp();
            }
            if (now == 0)
            {
                now = state.Time.GetTimestamp();
            }
            if (Buffer is null || block.Frames != FramesPerPacket)
            {
                // The first block, or the sender changed its block size: a new buffer (allocates, like a join).
                FramesPerPacket = block.Frames;
                Buffer = new JitterBuffer(WireChannels, block.Frames, External.JitterOptions ?? state.JitterPolicies.OptionsFor(RoomId));
            }
            LastHeardAt = block.ArrivalTimestamp;
            DatagramsReceived++;
            OneWay.Add((ulong)block.SenderMicroseconds, block.WallMicroseconds);
            External.RecordInputWait(block.ArrivalTimestamp, now);
            // Scheduled on the sender's audio clock (docs/protocol.md §7.1): a browser renders its blocks in bursts, so
            // their arrival says little about when their audio was taken; their timestamps say it exactly.
            Buffer.Insert((ushort)block.Sequence, planar, block.ArrivalTimestamp, block.SenderMicroseconds);
            External.ReleaseInput();
        }
    }

    /// <summary>The room's jitter policy changed: the next block starts a buffer with the room's options (one short gap).</summary>
    internal void RestartBuffer() => Buffer = null;

    /// <inheritdoc />
    public override void Send(int periodFrames, ulong wallMicroseconds)
    {
        if (Participant is { } participant)
        {
            External.PublishOutput(participant.Output);
            DatagramsSent++;
        }
    }

    /// <inheritdoc />
    public override void CheckTimeout(MixState state, long now)
    {
        // No timeout: the transport disposes the participant (see MediaEngine.AttachExternal).
    }

    /// <inheritdoc />
    public override void Release(MixState state, bool sendExit) => External.MarkLeft();
}
