using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.SharedMemory;

/// <summary>Why a ring end stopped: a position or descriptor read from the memory was impossible (the other side is not sane).</summary>
public enum RingFault
{
    /// <summary>All positions read so far were consistent.</summary>
    None = 0,

    /// <summary>The other side's position went backwards or ran further ahead than the ring holds.</summary>
    Position = 1,

    /// <summary>A block descriptor pointed outside the sample ring or held an impossible frame count.</summary>
    Descriptor = 2,
}

/// <summary>
/// The transport's end of a participant's input queue (the single producer): block descriptors in one ring, their
/// samples planar and contiguous in a second. Sample positions only grow; a block that would straddle the end of the
/// sample ring starts at its beginning (the tail is skipped). Its own positions are kept here and only published to the
/// memory, never read back from it; the engine's positions it reads are checked before use.
/// </summary>
internal sealed class InputQueueWriter(RingMemory memory, ParticipantRingLayout layout, TimeProvider time)
{
    private const int ReplayWindow = 64;  // blocks behind the newest still accepted (reordering)
    private const int RestartJump = 1000; // a jump this large means the sender restarted its counter

    private long _written;
    private long _samplesWritten;
    private long _dropped;
    private bool _hasNewest;
    private uint _newest;
    private ulong _seen; // bit n: block (newest − n) was queued

    /// <summary>Set once the engine's positions were found impossible; the writer then refuses every block.</summary>
    public RingFault Fault { get; private set; }

    /// <summary>Validates, admits and queues one interleaved block (see <see cref="ExternalParticipant.WriteInput"/>). Allocation-free.</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of 1..1024 frames.</exception>
    public bool TryWrite(uint sequence, long senderTimestampMicros, ReadOnlySpan<float> interleaved, bool left)
    {
        var channels = layout.Channels;
        if (interleaved.Length == 0 || interleaved.Length % channels != 0 || interleaved.Length / channels > ExternalParticipant.MaxBlockFrames)
        {
            throw new ArgumentException("A block must hold 1..1024 whole frames of interleaved samples.", nameof(interleaved));
        }
        if (left)
        {
            return false;
        }
        var ringLength = layout.InputSampleCount;
        var written = _written;
        var length = interleaved.Length;
        var position = _samplesWritten;
        var offset = (int)(position % ringLength);
        if (offset + length > ringLength)
        {
            position += ringLength - offset; // skip the tail: a block's samples are contiguous
            offset = 0;
        }
        var read = Volatile.Read(ref memory.Int64(ParticipantRingLayout.InputReadOffset));
        var released = Volatile.Read(ref memory.Int64(ParticipantRingLayout.SamplesReleasedOffset));
        if (Fault == RingFault.None && (read > written || written - read > layout.InputBlocks || released > _samplesWritten || _samplesWritten - released > ringLength))
        {
            Fault = RingFault.Position;
        }
        var full = Fault != RingFault.None || written - read >= layout.InputBlocks || position + length - released > ringLength;
        if (full || !Admit(sequence))
        {
            _dropped++;
            Volatile.Write(ref memory.Int64(ParticipantRingLayout.InputDroppedOffset), _dropped);
            return false;
        }

        var slot = (int)(written % layout.InputBlocks);
        var frames = length / channels;
        var block = memory.Floats(layout.InputSamplesOffset + ((long)offset * sizeof(float)), length);
        if (channels == 1)
        {
            interleaved.CopyTo(block);
        }
        else
        {
            for (var channel = 0; channel < channels; channel++)
            {
                var target = block.Slice(channel * frames, frames);
                for (var frame = 0; frame < frames; frame++)
                {
                    target[frame] = interleaved[(frame * channels) + channel];
                }
            }
        }
        var descriptor = layout.DescriptorsOffset + ((long)slot * ParticipantRingLayout.DescriptorLength);
        memory.Int64(descriptor + ParticipantRingLayout.DescriptorPosition) = position;
        memory.Int32(descriptor + ParticipantRingLayout.DescriptorFrames) = frames;
        memory.Int32(descriptor + ParticipantRingLayout.DescriptorSequence) = unchecked((int)sequence);
        memory.Int64(descriptor + ParticipantRingLayout.DescriptorSender) = senderTimestampMicros;
        memory.Int64(descriptor + ParticipantRingLayout.DescriptorArrival) = time.GetTimestamp();
        memory.Int64(descriptor + ParticipantRingLayout.DescriptorWall) = (long)JackTripPacketEncoder.TimestampFrom(time);
        _samplesWritten = position + length;
        _written = written + 1;
        Volatile.Write(ref memory.Int64(ParticipantRingLayout.InputWrittenOffset), _written); // publishes the block to the mix thread
        return true;
    }

    /// <summary>Drops duplicates and blocks too old to matter; follows a sender whose counter jumped (restarted).</summary>
    private bool Admit(uint sequence)
    {
        if (!_hasNewest)
        {
            _hasNewest = true;
            _newest = sequence;
            _seen = 1;
            return true;
        }
        var delta = (int)(sequence - _newest);
        if (delta > 0 || delta < -RestartJump)
        {
            _seen = delta is > 0 and < ReplayWindow ? (_seen << delta) | 1 : 1;
            _newest = sequence;
            return true;
        }
        var behind = -delta;
        if (behind >= ReplayWindow)
        {
            return false;
        }
        var bit = 1UL << behind;
        if ((_seen & bit) != 0)
        {
            return false;
        }
        _seen |= bit;
        return true;
    }
}

/// <summary>
/// The engine's end of a participant's input queue (the single consumer, the mix thread). Every position and descriptor
/// read from the memory is checked before it addresses anything: an impossible one sets <see cref="Fault"/> and the
/// queue reads as empty from then on.
/// </summary>
internal sealed class InputQueueReader(RingMemory memory, ParticipantRingLayout layout)
{
    private long _read;
    private long _peekedEnd = -1; // sample position after the peeked block; −1: nothing peeked

    /// <summary>Set once the transport's positions or descriptors were found impossible.</summary>
    public RingFault Fault { get; private set; }

    /// <summary>Blocks the transport refused (its count, as it published it).</summary>
    public long Dropped => Volatile.Read(ref memory.Int64(ParticipantRingLayout.InputDroppedOffset));

    /// <summary>The oldest queued block, if any. Call <see cref="Release"/> when done with it.</summary>
    public bool TryPeek(out ExternalInputBlock block, out ReadOnlySpan<float> planar)
    {
        block = default;
        planar = default;
        if (Fault != RingFault.None)
        {
            return false;
        }
        var written = Volatile.Read(ref memory.Int64(ParticipantRingLayout.InputWrittenOffset));
        if (written < _read || written - _read > layout.InputBlocks)
        {
            Fault = RingFault.Position;
            return false;
        }
        if (_read == written)
        {
            return false;
        }
        var descriptor = layout.DescriptorsOffset + ((_read % layout.InputBlocks) * ParticipantRingLayout.DescriptorLength);
        var position = memory.Int64(descriptor + ParticipantRingLayout.DescriptorPosition);
        var frames = memory.Int32(descriptor + ParticipantRingLayout.DescriptorFrames);
        var length = frames * layout.Channels;
        var offset = position % layout.InputSampleCount;
        if (position < 0 || frames is < 1 or > ExternalParticipant.MaxBlockFrames || offset + length > layout.InputSampleCount)
        {
            Fault = RingFault.Descriptor;
            return false;
        }
        block = new ExternalInputBlock(frames, unchecked((uint)memory.Int32(descriptor + ParticipantRingLayout.DescriptorSequence)),
            memory.Int64(descriptor + ParticipantRingLayout.DescriptorSender), memory.Int64(descriptor + ParticipantRingLayout.DescriptorArrival),
            memory.Int64(descriptor + ParticipantRingLayout.DescriptorWall));
        planar = memory.Floats(layout.InputSamplesOffset + (offset * sizeof(float)), length);
        _peekedEnd = position + length;
        return true;
    }

    /// <summary>Frees the block returned by <see cref="TryPeek"/> for the transport.</summary>
    public void Release()
    {
        if (_peekedEnd < 0)
        {
            return;
        }
        Volatile.Write(ref memory.Int64(ParticipantRingLayout.SamplesReleasedOffset), _peekedEnd);
        _peekedEnd = -1;
        _read++;
        Volatile.Write(ref memory.Int64(ParticipantRingLayout.InputReadOffset), _read);
    }
}

/// <summary>The engine's end of a participant's output ring: period n goes to slot n % slots, interleaved.</summary>
internal sealed class OutputRingWriter(RingMemory memory, ParticipantRingLayout layout)
{
    private long _written;

    /// <summary>Periods published so far (the engine side's heartbeat too: it grows every period).</summary>
    public long Written => _written;

    /// <summary>Publishes one period of the personal mix (planar, channels × period). Allocation-free.</summary>
    public void Publish(ReadOnlySpan<float> planar, long timestamp)
    {
        var index = _written;
        var frames = layout.PeriodFrames;
        var channels = layout.Channels;
        var slotIndex = (int)(index % layout.OutputSlots);
        var slot = memory.Floats(layout.OutputSamplesOffset + ((long)slotIndex * layout.PeriodLength * sizeof(float)), layout.PeriodLength);
        if (channels == 1)
        {
            planar[..frames].CopyTo(slot);
        }
        else
        {
            for (var channel = 0; channel < channels; channel++)
            {
                var source = planar.Slice(channel * frames, frames);
                for (var frame = 0; frame < frames; frame++)
                {
                    slot[(frame * channels) + channel] = source[frame];
                }
            }
        }
        Volatile.Write(ref memory.Int64(layout.PublishedOffset + (slotIndex * sizeof(long))), timestamp);
        _written = index + 1;
        Volatile.Write(ref memory.Int64(ParticipantRingLayout.OutputWrittenOffset), _written);
        RingHeader.Beat(memory, RingSide.Engine, _written);
    }
}

/// <summary>
/// The transport's end of a participant's output ring. A reader that fell behind skips to the newest
/// <c>slots / 2</c> periods (latency never grows); a copy the engine may have overwritten meanwhile is dropped. The
/// engine's count it reads is checked: going backwards is a <see cref="RingFault.Position"/>.
/// </summary>
internal sealed class OutputRingReader(RingMemory memory, ParticipantRingLayout layout)
{
    private long _read;
    private long _dropped;

    /// <summary>Set once the engine's count was found impossible.</summary>
    public RingFault Fault { get; private set; }

    /// <summary>Periods dropped because the reader fell behind (as published).</summary>
    public long Dropped => Volatile.Read(ref memory.Int64(ParticipantRingLayout.OutputDroppedOffset));

    /// <summary>True when a period is waiting.</summary>
    public bool Ready => Fault == RingFault.None && Volatile.Read(ref memory.Int64(ParticipantRingLayout.OutputWrittenOffset)) > _read;

    /// <summary>Takes the oldest period kept (see <see cref="ExternalParticipant.TryReadOutput"/>). Allocation-free.</summary>
    /// <exception cref="ArgumentException"><paramref name="interleaved"/> is shorter than one period.</exception>
    public bool TryRead(Span<float> interleaved, bool left, out uint sequence, out long published)
    {
        var length = layout.PeriodLength;
        if (interleaved.Length < length)
        {
            throw new ArgumentException("The destination must hold one period of interleaved samples.", nameof(interleaved));
        }
        var backlog = layout.OutputSlots / 2;
        while (true)
        {
            var written = Volatile.Read(ref memory.Int64(ParticipantRingLayout.OutputWrittenOffset));
            var read = _read;
            if (Fault == RingFault.None && written < read)
            {
                Fault = RingFault.Position;
            }
            if (Fault == RingFault.None && written - read > backlog)
            {
                Drop(written - backlog - read);
                read = written - backlog;
            }
            if (read >= written || left || Fault != RingFault.None)
            {
                _read = read;
                sequence = 0;
                published = 0;
                return false;
            }
            var slot = (int)(read % layout.OutputSlots);
            memory.Floats(layout.OutputSamplesOffset + ((long)slot * length * sizeof(float)), length).CopyTo(interleaved);
            published = Volatile.Read(ref memory.Int64(layout.PublishedOffset + (slot * sizeof(long))));
            // The engine starts overwriting this slot only when it writes period read + slots; if it got that far while
            // we copied, the copy may be torn: skip it (counted as dropped) and take a newer one.
            Interlocked.MemoryBarrier();
            _read = read + 1;
            Volatile.Write(ref memory.Int64(ParticipantRingLayout.OutputReadOffset), _read);
            if (Volatile.Read(ref memory.Int64(ParticipantRingLayout.OutputWrittenOffset)) >= read + layout.OutputSlots)
            {
                Drop(1);
                continue;
            }
            sequence = (uint)read;
            return true;
        }
    }

    private void Drop(long periods)
    {
        _dropped += periods;
        Volatile.Write(ref memory.Int64(ParticipantRingLayout.OutputDroppedOffset), _dropped);
    }
}
