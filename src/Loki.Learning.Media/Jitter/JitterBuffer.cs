namespace Loki.Learning.Media.Jitter;

/// <summary>
/// Adaptive jitter buffer for one incoming stream of fixed-size packets. Packets go in by sequence number with their
/// arrival time; audio comes out in reads of any size (which re-blocks a client whose packet size differs from the
/// engine period). It reorders, drops duplicates and late packets, conceals losses by repeating the last packet
/// while fading it to silence, removes every step with a short ramp, and sizes its depth from the measured arrival
/// jitter (grows at once, shrinks only after a calm window).
/// </summary>
/// <remarks>
/// Threading: not thread-safe; the engine's mix thread owns it. All storage is allocated in the constructor;
/// <see cref="Insert"/> and <see cref="Read"/> do not allocate. Audio is planar: all frames of channel 0, then channel 1, …
/// Time comes only from the arrival timestamps passed in, so behaviour is deterministic.
/// </remarks>
public sealed class JitterBuffer
{
    private const int OutOfOrderJump = 1000;

    private readonly JitterBufferOptions _options;
    private readonly float[] _slots;          // capacity × channels × framesPerPacket, planar per slot
    private readonly long[] _slotSequence;    // unwrapped sequence held by each slot, -1 when empty
    private readonly float[] _lastGood;       // channels × framesPerPacket: the last packet played, for concealment
    private readonly float[] _lastOut;        // per channel: last sample emitted
    private readonly float[] _declickOffset;  // per channel: step being ramped away
    private readonly int _capacity;
    private readonly long _packetTicks;       // duration of one packet in timestamp ticks
    private readonly int _jitterWindowPackets;
    private readonly int _shrinkWindowReads;
    private readonly int _maxDepthFrames;

    private int _readFrames;                  // frames per Read (the engine period); the target never goes below it
    private bool _started;
    private bool _playing;
    private bool _hasLastGood;
    private bool _discontinuity;
    private long _highestSequence;
    private long _playSequence;
    private int _playOffset;
    private long _lostCountedFor = -1;
    private int _declickRemaining;
    private bool _concealing;                 // the last frames emitted were concealment or silence, not real audio
    private float _concealGain = 1f;          // gain of the repeated packet, falling to 0 over ConcealFadeFrames
    private int _concealPosition;             // frame of _lastGood the repeat continues from
    private int _consecutiveOutOfOrder;
    private long _lastOutOfOrderSequence = -1;

    private bool _hasTransitBase;
    private long _minTransit;
    private long _jitterPeakCurrent;
    private long _jitterPeakPrevious;
    private long _underrunBoostTicks;
    private int _packetsInJitterWindow;
    private int _minSlackInWindow = int.MaxValue;
    private int _readsInShrinkWindow;

    private long _received;
    private long _duplicates;
    private long _late;
    private long _lost;
    private long _outOfOrder;
    private long _reordered;
    private long _underruns;
    private long _overruns;
    private long _skipped;
    private long _periodsRead;
    private long _concealedPeriods;
    private long _concealedFrames;

    /// <summary>Creates a buffer for packets of <paramref name="framesPerPacket"/> frames and <paramref name="channels"/> channels.</summary>
    /// <param name="channels">Channels per packet, at least 1.</param>
    /// <param name="framesPerPacket">Samples per channel in every packet.</param>
    /// <param name="options">Tuning; <c>null</c> for defaults.</param>
    public JitterBuffer(int channels, int framesPerPacket, JitterBufferOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerPacket, 1);
        _options = options ?? new JitterBufferOptions();
        Channels = channels;
        FramesPerPacket = framesPerPacket;

        _maxDepthFrames = Math.Max(framesPerPacket * 2, (int)(_options.MaxDepthMilliseconds * _options.SampleRate / 1000.0));
        // Two spare slots: one being played, one for a packet arriving while the buffer is at its deepest.
        _capacity = (_maxDepthFrames / framesPerPacket) + 2;
        _slots = new float[_capacity * channels * framesPerPacket];
        _slotSequence = new long[_capacity];
        Array.Fill(_slotSequence, -1L);
        _lastGood = new float[channels * framesPerPacket];
        _lastOut = new float[channels];
        _readFrames = framesPerPacket;
        _declickOffset = new float[channels];

        _packetTicks = Math.Max(1, framesPerPacket * _options.TimestampFrequency / _options.SampleRate);
        _jitterWindowPackets = Math.Max(1, (int)(_options.JitterWindowSeconds * _options.SampleRate / framesPerPacket));
        _shrinkWindowReads = Math.Max(1, (int)(_options.ShrinkWindowSeconds * _options.SampleRate / framesPerPacket));
    }

    /// <summary>Channels per packet and per read.</summary>
    public int Channels { get; }

    /// <summary>Samples per channel in every packet.</summary>
    public int FramesPerPacket { get; }

    /// <summary><c>true</c> once enough audio was buffered to start playing (false again after a restart).</summary>
    public bool IsPlaying => _playing;

    /// <summary>Frames buffered ahead of the play position, counting gaps up to the newest packet received.</summary>
    public int DepthFrames => !_started || _highestSequence < _playSequence
        ? 0
        : (int)Math.Min(int.MaxValue, ((_highestSequence - _playSequence + 1) * FramesPerPacket) - _playOffset);

    /// <summary>
    /// Depth the buffer aims for: measured jitter plus one packet (or one read, when reads are larger) plus the safety
    /// margin, within the maximum.
    /// </summary>
    public int TargetDepthFrames
    {
        get
        {
            var jitterTicks = Math.Max(_jitterPeakCurrent, _jitterPeakPrevious) + _underrunBoostTicks;
            var jitterFrames = (int)Math.Min(_maxDepthFrames, jitterTicks * _options.SampleRate / _options.TimestampFrequency);
            var block = Math.Max(FramesPerPacket, _readFrames);
            return Math.Clamp(jitterFrames + block + _options.SafetyFrames, block, _maxDepthFrames);
        }
    }

    /// <summary>Counters and figures since creation.</summary>
    public JitterBufferStatistics Statistics => new(
        _received, _duplicates, _late, _lost, _outOfOrder, _reordered, _underruns, _overruns, _skipped,
        _periodsRead, _concealedPeriods, _concealedFrames, DepthFrames, TargetDepthFrames,
        Math.Max(_jitterPeakCurrent, _jitterPeakPrevious) * 1_000_000.0 / _options.TimestampFrequency);

    /// <summary>Offers one packet to the buffer.</summary>
    /// <param name="sequenceNumber">The packet's 16-bit sequence number (wraps).</param>
    /// <param name="planarSamples">Exactly <see cref="FramesPerPacket"/> × <see cref="Channels"/> planar samples.</param>
    /// <param name="arrivalTimestamp">When the packet arrived, in ticks of <see cref="JitterBufferOptions.TimestampFrequency"/>.</param>
    /// <param name="measureArrival"><c>false</c> for redundant copies carried by a newer datagram: their arrival time says nothing about jitter.</param>
    /// <returns>What was done with the packet.</returns>
    public JitterInsertResult Insert(ushort sequenceNumber, ReadOnlySpan<float> planarSamples, long arrivalTimestamp, bool measureArrival = true)
    {
        if (planarSamples.Length != Channels * FramesPerPacket)
        {
            return JitterInsertResult.WrongShape;
        }
        if (!_started)
        {
            Restart(sequenceNumber);
        }

        var delta = (short)(sequenceNumber - (ushort)_highestSequence);
        if (delta > OutOfOrderJump || delta < -OutOfOrderJump)
        {
            _outOfOrder++;
            // A sender that restarted keeps sending consecutive numbers from elsewhere: follow it after a few.
            _consecutiveOutOfOrder = _lastOutOfOrderSequence == (ushort)(sequenceNumber - 1) ? _consecutiveOutOfOrder + 1 : 1;
            _lastOutOfOrderSequence = sequenceNumber;
            if (_consecutiveOutOfOrder < _options.ResyncAfterOutOfOrder)
            {
                return JitterInsertResult.OutOfOrder;
            }
            _overruns++;
            Restart(sequenceNumber);
            delta = 0;
        }
        _consecutiveOutOfOrder = 0;

        var sequence = _highestSequence + delta;
        if (sequence < _playSequence || (sequence == _playSequence && _playOffset > 0))
        {
            _late++;
            return JitterInsertResult.Late;
        }
        if (sequence - _playSequence >= _capacity)
        {
            // Far ahead of the play position (the reader stalled, or a burst): drop the oldest audio so that the
            // target depth remains behind this packet, and keep playing (ramped) instead of rebuffering.
            _overruns++;
            var targetPackets = Math.Min(_capacity - 1, (TargetDepthFrames + FramesPerPacket - 1) / FramesPerPacket);
            DropBefore(sequence - targetPackets + 1);
        }

        var slot = (int)(sequence % _capacity);
        if (_slotSequence[slot] == sequence)
        {
            _duplicates++;
            return JitterInsertResult.Duplicate;
        }
        planarSamples.CopyTo(_slots.AsSpan(slot * Channels * FramesPerPacket, Channels * FramesPerPacket));
        _slotSequence[slot] = sequence;
        _received++;

        var reordered = sequence < _highestSequence;
        if (reordered)
        {
            _reordered++;
        }
        else
        {
            _highestSequence = sequence;
        }
        if (measureArrival)
        {
            MeasureJitter(sequence, arrivalTimestamp);
        }
        return reordered ? JitterInsertResult.Reordered : JitterInsertResult.Accepted;
    }

    /// <summary>
    /// Produces the next <paramref name="frames"/> frames of audio: buffered packets in order, concealment for lost
    /// packets or a dry buffer, and silence before playing starts. Every transition is ramped, never stepped.
    /// </summary>
    /// <param name="destination">Planar output of <paramref name="frames"/> × <see cref="Channels"/> samples.</param>
    /// <param name="frames">Frames per channel to produce (the engine period).</param>
    /// <returns><c>true</c> when real audio was played; <c>false</c> when the whole read was silence or concealment.</returns>
    public bool Read(Span<float> destination, int frames)
    {
        if (destination.Length < frames * Channels)
        {
            throw new ArgumentException("Destination is shorter than frames × channels.", nameof(destination));
        }
        _readFrames = frames;

        if (!_playing)
        {
            if (_started && DepthFrames >= TargetDepthFrames && HasPacket(_playSequence))
            {
                _playing = true;
                _minSlackInWindow = int.MaxValue;
                _readsInShrinkWindow = 0;
            }
            else
            {
                EmitSilence(destination, frames, 0, frames);
                return false;
            }
        }

        _periodsRead++;
        TrackSpareDepth(frames);

        var written = 0;
        var concealed = false;
        var played = false;
        while (written < frames)
        {
            var slot = (int)(_playSequence % _capacity);
            if (_slotSequence[slot] == _playSequence)
            {
                var count = Math.Min(FramesPerPacket - _playOffset, frames - written);
                if (_concealing)
                {
                    // Leaving concealment: ramp from what was last heard into the real audio.
                    _discontinuity = true;
                    _concealing = false;
                    _concealGain = 1f;
                    _concealPosition = 0;
                }
                Emit(_slots, slot * Channels * FramesPerPacket, _playOffset, destination, frames, written, count, 1f, 0f);
                written += count;
                _playOffset += count;
                played = true;
                if (_playOffset == FramesPerPacket)
                {
                    _slots.AsSpan(slot * Channels * FramesPerPacket, Channels * FramesPerPacket).CopyTo(_lastGood);
                    _hasLastGood = true;
                    _slotSequence[slot] = -1;
                    _playSequence++;
                    _playOffset = 0;
                }
                continue;
            }

            concealed = true;
            if (_playSequence > _highestSequence)
            {
                // Nothing newer has arrived: conceal the rest of this read and wait at the same position,
                // which adds the missing time to the depth. Remember the shortfall so the target grows.
                _underruns++;
                _underrunBoostTicks = Math.Min(_underrunBoostTicks + _packetTicks, _packetTicks * 8);
                Conceal(destination, frames, written, frames - written);
                written = frames;
                break;
            }

            // A gap with newer packets behind it: this packet is lost; conceal its remaining frames and move on.
            if (_lostCountedFor != _playSequence)
            {
                _lost++;
                _lostCountedFor = _playSequence;
            }
            var gapFrames = Math.Min(FramesPerPacket - _playOffset, frames - written);
            Conceal(destination, frames, written, gapFrames);
            written += gapFrames;
            _playOffset += gapFrames;
            if (_playOffset == FramesPerPacket)
            {
                _playSequence++;
                _playOffset = 0;
            }
        }

        if (concealed)
        {
            _concealedPeriods++;
        }
        return played;
    }

    /// <summary>Whether the packet with this sequence number is buffered or already played (a copy would be dropped).</summary>
    public bool Holds(ushort sequenceNumber)
    {
        if (!_started)
        {
            return false;
        }
        var delta = (short)(sequenceNumber - (ushort)_highestSequence);
        var sequence = _highestSequence + delta;
        return sequence < _playSequence || HasPacket(sequence);
    }

    private void DropBefore(long newPlaySequence)
    {
        for (var slot = 0; slot < _capacity; slot++)
        {
            if (_slotSequence[slot] < newPlaySequence)
            {
                _slotSequence[slot] = -1;
            }
        }
        _playSequence = newPlaySequence;
        _playOffset = 0;
        _discontinuity = true;
    }

    private bool HasPacket(long sequence) => _slotSequence[(int)(sequence % _capacity)] == sequence;

    private void Restart(ushort sequenceNumber)
    {
        Array.Fill(_slotSequence, -1L);
        // Unwrapped sequences start high enough that reordered packets before the first never go negative.
        _highestSequence = (1L << 20) + sequenceNumber;
        _playSequence = _highestSequence;
        _playOffset = 0;
        _lostCountedFor = -1;
        if (_playing)
        {
            _discontinuity = true;
        }
        _playing = false;
        _started = true;
        _hasTransitBase = false;
        _lastOutOfOrderSequence = -1;
        _consecutiveOutOfOrder = 0;
    }

    private void MeasureJitter(long sequence, long arrivalTimestamp)
    {
        // Transit = arrival minus the packet's nominal send time (sequence × packet duration). Its spread above the
        // recent minimum is the jitter. The minimum creeps upwards slowly so clock drift does not read as jitter.
        var transit = arrivalTimestamp - (sequence * _packetTicks);
        if (!_hasTransitBase)
        {
            _minTransit = transit;
            _hasTransitBase = true;
        }
        _minTransit = Math.Min(transit, _minTransit + Math.Max(1, _packetTicks / 1000));
        var deviation = transit - _minTransit;
        if (deviation > _jitterPeakCurrent)
        {
            _jitterPeakCurrent = deviation;
        }
        if (++_packetsInJitterWindow >= _jitterWindowPackets)
        {
            _jitterPeakPrevious = _jitterPeakCurrent;
            _jitterPeakCurrent = 0;
            _packetsInJitterWindow = 0;
            // Underrun boosts decay one packet per calm window.
            _underrunBoostTicks = Math.Max(0, _underrunBoostTicks - _packetTicks);
        }
    }

    private void TrackSpareDepth(int frames)
    {
        // Spare = frames still buffered after this read if nothing new arrives; sustained spare above the target means
        // latency we can give back. Drop one whole packet per window at most, ramped, so shrinking is gentle.
        var spare = DepthFrames - frames;
        if (spare < _minSlackInWindow)
        {
            _minSlackInWindow = spare;
        }
        if (++_readsInShrinkWindow < _shrinkWindowReads)
        {
            return;
        }
        var excess = _minSlackInWindow - (TargetDepthFrames - FramesPerPacket) - FramesPerPacket;
        if (excess > 0 && _playOffset == 0 && HasPacket(_playSequence))
        {
            _slotSequence[(int)(_playSequence % _capacity)] = -1;
            _playSequence++;
            _skipped++;
            _discontinuity = true;
        }
        _minSlackInWindow = int.MaxValue;
        _readsInShrinkWindow = 0;
    }

    private void Conceal(Span<float> destination, int frames, int at, int count)
    {
        _concealedFrames += count;
        if (!_hasLastGood)
        {
            EmitSilence(destination, frames, at, count);
            return;
        }
        if (!_concealing)
        {
            _concealing = true;
            _discontinuity = true; // the repeat starts at the beginning of the last packet
        }
        var fadeStep = 1f / Math.Max(1, _options.ConcealFadeFrames);
        while (count > 0)
        {
            var run = Math.Min(count, FramesPerPacket - _concealPosition);
            Emit(_lastGood, 0, _concealPosition, destination, frames, at, run, _concealGain, fadeStep);
            _concealGain = Math.Max(0f, _concealGain - (fadeStep * run));
            _concealPosition += run;
            at += run;
            count -= run;
            if (_concealPosition == FramesPerPacket)
            {
                _concealPosition = 0;
                _discontinuity = true;
            }
        }
    }

    private void EmitSilence(Span<float> destination, int frames, int at, int count)
    {
        if (_lastOut.AsSpan().ContainsAnyExcept(0f) && _declickRemaining == 0)
        {
            _discontinuity = true;
        }
        for (var channel = 0; channel < Channels; channel++)
        {
            destination.Slice((channel * frames) + at, count).Clear();
        }
        ApplyDeclick(destination, frames, at, count);
        _concealing = true;
        _concealGain = 0f;
    }

    private void Emit(float[] source, int sourceBase, int sourceOffset, Span<float> destination, int frames, int at, int count, float gain, float gainStep)
    {
        for (var channel = 0; channel < Channels; channel++)
        {
            var from = source.AsSpan(sourceBase + (channel * FramesPerPacket) + sourceOffset, count);
            var to = destination.Slice((channel * frames) + at, count);
            if (gainStep == 0f && gain == 1f)
            {
                from.CopyTo(to);
            }
            else
            {
                var g = gain;
                for (var i = 0; i < count; i++)
                {
                    to[i] = from[i] * g;
                    g = Math.Max(0f, g - gainStep);
                }
            }
        }
        ApplyDeclick(destination, frames, at, count);
    }

    private void ApplyDeclick(Span<float> destination, int frames, int at, int count)
    {
        if (count == 0)
        {
            return;
        }
        if (_discontinuity)
        {
            // Offset the new audio so its first sample continues the last one, then ramp the offset to zero.
            for (var channel = 0; channel < Channels; channel++)
            {
                _declickOffset[channel] = _lastOut[channel] - destination[(channel * frames) + at];
            }
            _declickRemaining = Math.Max(1, _options.DeclickFrames);
            _discontinuity = false;
        }
        var length = Math.Max(1, _options.DeclickFrames);
        var ramp = Math.Min(count, _declickRemaining);
        for (var channel = 0; channel < Channels; channel++)
        {
            var samples = destination.Slice((channel * frames) + at, count);
            if (ramp > 0)
            {
                var offset = _declickOffset[channel];
                for (var i = 0; i < ramp; i++)
                {
                    samples[i] += offset * (_declickRemaining - i) / length;
                }
            }
            _lastOut[channel] = samples[count - 1];
        }
        _declickRemaining -= ramp;
    }
}
