namespace Loki.Learning.Media.Jitter;

/// <summary>
/// Adaptive jitter buffer for one incoming stream of fixed-size packets. Packets go in by sequence number with their
/// arrival time; audio comes out in reads of any size (which re-blocks a client whose packet size differs from the
/// engine period). It reorders, drops duplicates and late packets, conceals losses by repeating the last packet
/// while fading it to silence, removes every step with a short ramp, and sizes its depth from a high percentile of
/// the recent arrival times (an exponentially forgotten histogram), not from their peak.
/// </summary>
/// <remarks>
/// <para>
/// Threading: not thread-safe; the engine's mix thread owns it. All storage is allocated in the constructor; inserts
/// and reads do not allocate. Audio is planar: all frames of channel 0, then channel 1, …
/// Time comes only from the timestamps passed in: arrivals, and the read's own time when given (the engine gives it);
/// without it a read is taken to be one read period after the previous one. Behaviour is deterministic.
/// </para>
/// <para>
/// Depth control. A packet's lateness is its arrival time minus its nominal send time (sequence × packet duration)
/// minus the smallest such transit of the last <see cref="JitterBufferOptions.TransitWindowSeconds"/>. The first copy
/// of every packet (the original or, with JackTrip redundancy, a copy carried by a later datagram) adds its lateness
/// to a histogram whose weights are forgotten exponentially over <see cref="JitterBufferOptions.JitterWindowSeconds"/>.
/// The target is the lateness that all but <see cref="JitterBufferOptions.LateShare"/> of those first copies stay
/// within: a packet is on time if its lateness is at most the play delay (how late, after the fastest transit, a
/// packet may arrive and still be read). The play delay grows when a packet is missing and the delay is below the
/// target (the read is concealed anyway: waiting costs nothing extra), and shrinks when the whole recent window kept
/// spare audio above the target. Packets far later than the target, close together, are a sender that stalled: they
/// are not counted unless stalls recur, so a single stall does not hold the depth up afterwards.
/// </para>
/// </remarks>
public sealed class JitterBuffer
{
    private const int OutOfOrderJump = 1000;
    private const double RescaleAbove = 1e150;
    private const int QuantileEverySamples = 4;
    private const int FullWeightLatePerEvent = 4;
    private const int SenderJumpConfirmations = 3;

    private readonly JitterBufferOptions _options;
    private readonly float[] _slots;          // capacity × channels × framesPerPacket, planar per slot
    private readonly long[] _slotSequence;    // unwrapped sequence held by each slot, -1 when empty
    private readonly long[] _slotLost;        // unwrapped sequence concealed as lost in each slot, -1 when none
    private readonly float[] _lastGood;       // channels × framesPerPacket: the last packet played, for concealment
    private readonly float[] _lastOut;        // per channel: last sample emitted
    private readonly float[] _declickOffset;  // per channel: step being ramped away
    // Forgotten histogram of first-copy lateness: bin b holds ((b-1)·bin, b·bin] frames. The target is the lower edge
    // of the quantile's bin: lateness is measured on the mix clock's grid, so it sits just above a whole number of reads.
    private readonly double[] _lateness;
    private readonly long[] _latenessSeen;    // the same bins, every first copy counted once and never forgotten (statistics)
    private readonly int _capacity;
    private readonly int _binFrames;
    private readonly int _binsPerPacket;
    private readonly double _growth;          // weight growth per sample: forgetting without touching every bin
    private readonly int _transitHalfWindow;  // packets per half of the minimum-transit window
    private readonly int _stallRunPackets;    // late packets in a row that still count as one stall
    private readonly int _windowPackets;      // the histogram's time constant, in packets
    private readonly int _lateEventGapPackets; // late packets this close together belong to one event
    private readonly int _stallBins;          // lateness this far beyond the target is a stalled sender
    private readonly int[] _eventBins = new int[64];
    private readonly double[] _eventWeights = new double[64];
    private readonly int _shrinkWindowReads;
    private readonly int _quickWindowReads;
    private readonly int _quickDropPackets;   // an excess this large (10 ms) is dropped after an eighth of the window
    private readonly int _maxDepthFrames;
    private readonly int _minTargetFrames;
    private readonly int _maxTargetFrames;

    private int _readFrames;                  // frames per Read (the engine period)
    private bool _started;
    private bool _playing;
    private bool _hasLastGood;
    private bool _discontinuity;
    private long _highestSequence;
    private long _playSequence;
    private int _playOffset;
    private int _declickRemaining;
    private bool _concealing;                 // the last frames emitted were concealment or silence, not real audio
    private float _concealGain = 1f;          // gain of the repeated packet, falling to 0 over ConcealFadeFrames
    private int _concealPosition;             // frame of _lastGood the repeat continues from
    private int _consecutiveOutOfOrder;
    private long _waitedFor = -1;             // the packet the last waiting read waited for
    private long _lastOutOfOrderSequence = -1;

    private long _clock;                      // arrival-clock time of the current read: last arrival, + one read per Read
    private bool _clockSnaps;                 // the next arrival sets the clock (a read happened since the last one)
    private bool _hasTransitBase;
    private long _minTransitCurrent;          // smallest transit in the current half window
    private long _minTransitPrevious;         // ... and in the previous one
    private int _transitSamples;
    private double _histogramTotal;
    private double _sampleWeight = 1;
    private int _samplesSinceQuantile;
    private int _targetBin;                   // quantile of the lateness histogram, in bins
    private int _lateEventAge = int.MaxValue - 1; // packets since the current late event began
    private int _packetsSinceLate = int.MaxValue - 1;
    private bool _eventIsStall;
    private int _eventCount;                  // late packets of the current event counted so far (to take back)
    private int _eventLate;                   // late packets in the current event
    private int _eventStartBin;               // the target when the current event began
    private int _packetsSinceStall = int.MaxValue - 1;
    private int _minSpareInWindow = int.MaxValue;
    private int _minSpareInQuickWindow = int.MaxValue;
    private int _readsInShrinkWindow;

    // Sender clock (Insert with a sender timestamp): packet n was taken at n × FramesPerPacket + _senderOffsetFrames on
    // the sender's audio clock. 0 without timestamps, so the nominal send time is the sequence number's.
    private bool _hasSenderOffset;
    private long _senderOffsetFrames;
    private long _candidateOffsetFrames;      // a new offset some packets agree on (the sender's timeline jumped)
    private int _candidateCount;
    private long _senderJumps;

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
        _maxTargetFrames = _options.MaxTargetMilliseconds is { } maxTarget
            ? Math.Clamp((int)(maxTarget * _options.SampleRate / 1000.0), 0, _maxDepthFrames)
            : _maxDepthFrames;
        _minTargetFrames = Math.Clamp((int)(_options.MinTargetMilliseconds * _options.SampleRate / 1000.0), 0, _maxTargetFrames);
        // Two spare slots: one being played, one for a packet arriving while the buffer is at its deepest.
        _capacity = (_maxDepthFrames / framesPerPacket) + 2;
        _slots = new float[_capacity * channels * framesPerPacket];
        _slotSequence = new long[_capacity];
        Array.Fill(_slotSequence, -1L);
        _slotLost = new long[_capacity];
        Array.Fill(_slotLost, -1L);
        _lastGood = new float[channels * framesPerPacket];
        _lastOut = new float[channels];
        _readFrames = framesPerPacket;
        _declickOffset = new float[channels];

        // Bins of a third of a millisecond; the last bin collects everything beyond the maximum depth.
        _binFrames = Math.Max(1, _options.SampleRate / 3000);
        _lateness = new double[(_maxDepthFrames / _binFrames) + 2];
        _latenessSeen = new long[_lateness.Length];
        _binsPerPacket = (framesPerPacket + _binFrames - 1) / _binFrames;
        var packetsPerSecond = (double)_options.SampleRate / framesPerPacket;
        _windowPackets = Math.Max(1, (int)(_options.JitterWindowSeconds * packetsPerSecond));
        _growth = Math.Exp(1.0 / _windowPackets);
        _transitHalfWindow = Math.Max(1, (int)(_options.TransitWindowSeconds * packetsPerSecond / 2));
        _stallRunPackets = Math.Max(1, (int)(_options.TransitWindowSeconds * packetsPerSecond * 1.5));
        _shrinkWindowReads = Math.Max(1, (int)(_options.ShrinkWindowSeconds * _options.SampleRate / framesPerPacket));
        _quickWindowReads = Math.Max(1, _shrinkWindowReads / 8);
        _lateEventGapPackets = Math.Max(2, (int)Math.Ceiling(_options.SampleRate / 50.0 / framesPerPacket));
        _stallBins = Math.Max(_binsPerPacket, (int)(_options.StallMilliseconds * _options.SampleRate / 1000 / _binFrames));
        // About 10 ms by default: more spare audio than any jitter this buffer serves leaves room for is a backlog.
        _quickDropPackets = Math.Max(1, (int)Math.Ceiling(_options.QuickShrinkMilliseconds * _options.SampleRate / 1000 / framesPerPacket));
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
    /// Play delay the buffer aims for, in frames: the lateness (after the fastest recent transit) that all but
    /// <see cref="JitterBufferOptions.LateShare"/> of the packets stay within, plus <see cref="JitterBufferOptions.SafetyFrames"/>.
    /// Right after a read, the buffer holds this much audio when a packet with the fastest transit has just arrived.
    /// </summary>
    public int TargetDepthFrames => Math.Clamp((Math.Max(0, _targetBin - 1) * _binFrames) + _options.SafetyFrames, _minTargetFrames, _maxTargetFrames);

    /// <summary>
    /// Times the sender's timeline jumped (packets stamped with <see cref="Insert(ushort, ReadOnlySpan{float}, long, long)"/>
    /// moved on by more than half a packet against their sequence numbers: the sender paused its stream, or re-anchored its clock).
    /// </summary>
    public long SenderClockJumps => _senderJumps;

    /// <summary>
    /// How late (after the fastest recent transit) the packet at the play position may still arrive to be read, in
    /// frames: the latency the buffer adds over the fastest path. 0 before the first packet.
    /// </summary>
    public int PlayDelayFrames => _hasTransitBase ? (int)Math.Clamp(TicksToFrames(DelayTicks(_playSequence)), 0, int.MaxValue) : 0;

    /// <summary>Counters and figures since creation.</summary>
    public JitterBufferStatistics Statistics => new(
        _received, _duplicates, _late, _lost, _outOfOrder, _reordered, _underruns, _overruns, _skipped,
        _periodsRead, _concealedPeriods, _concealedFrames, DepthFrames, TargetDepthFrames,
        Math.Max(0, _targetBin - 1) * _binFrames * 1_000_000.0 / _options.SampleRate,
        PlayDelayFrames * 1_000_000.0 / _options.SampleRate,
        SeenLatenessMicroseconds(0.5), SeenLatenessMicroseconds(0.99), SeenLatenessMicroseconds(0.999), SeenLatenessMicroseconds(1));

    private long MinTransit => Math.Min(_minTransitCurrent, _minTransitPrevious);

    private long TargetTicks => FramesToTicks(TargetDepthFrames);

    /// <summary>Offers one packet to the buffer.</summary>
    /// <param name="sequenceNumber">The packet's 16-bit sequence number (wraps).</param>
    /// <param name="planarSamples">Exactly <see cref="FramesPerPacket"/> × <see cref="Channels"/> planar samples.</param>
    /// <param name="arrivalTimestamp">When the packet arrived, in ticks of <see cref="JitterBufferOptions.TimestampFrequency"/>.</param>
    /// <param name="measureArrival">
    /// <c>false</c> for redundant copies carried by a newer datagram: their transit does not set the fastest transit,
    /// but when a copy is the first of its packet to arrive, its lateness counts (it is when the packet became playable).
    /// </param>
    /// <returns>What was done with the packet.</returns>
    public JitterInsertResult Insert(ushort sequenceNumber, ReadOnlySpan<float> planarSamples, long arrivalTimestamp, bool measureArrival = true) =>
        InsertPacket(sequenceNumber, planarSamples, arrivalTimestamp, measureArrival, hasSenderTime: false, senderMicroseconds: 0);

    /// <summary>
    /// Offers one packet stamped with the time its first frame was taken on the sender's audio clock (a browser's
    /// frames carry it). The packet's nominal send time is that stamp instead of its sequence number × the packet
    /// duration: lateness is measured against the sender's clock, so a sender that pauses its stream (a muted browser
    /// sends nothing) or re-anchors its clock keeps its schedule. A stamp that disagrees with the sequence number by more
    /// than half a packet is taken as a jump of the sender's timeline once three packets in a row agree on it; until
    /// then, and for stamps that only jitter (a sender stamping with the time it sent), the sequence keeps the schedule.
    /// </summary>
    /// <param name="sequenceNumber">The packet's 16-bit sequence number (wraps).</param>
    /// <param name="planarSamples">Exactly <see cref="FramesPerPacket"/> × <see cref="Channels"/> planar samples.</param>
    /// <param name="arrivalTimestamp">When the packet arrived, in ticks of <see cref="JitterBufferOptions.TimestampFrequency"/>.</param>
    /// <param name="senderMicroseconds">The sender's audio-clock time of the packet's first frame, µs (any epoch, one per stream).</param>
    /// <returns>What was done with the packet.</returns>
    public JitterInsertResult Insert(ushort sequenceNumber, ReadOnlySpan<float> planarSamples, long arrivalTimestamp, long senderMicroseconds) =>
        InsertPacket(sequenceNumber, planarSamples, arrivalTimestamp, measureArrival: true, hasSenderTime: true, senderMicroseconds);

    private JitterInsertResult InsertPacket(ushort sequenceNumber, ReadOnlySpan<float> planarSamples, long arrivalTimestamp, bool measureArrival, bool hasSenderTime, long senderMicroseconds)
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
        if (hasSenderTime)
        {
            FollowSenderClock(sequence, senderMicroseconds);
        }
        if (_clockSnaps || arrivalTimestamp > _clock)
        {
            _clock = arrivalTimestamp;
            _clockSnaps = false;
        }
        if (measureArrival)
        {
            MeasureTransit(sequence, arrivalTimestamp);
        }

        var slot = (int)(sequence % _capacity);
        if (sequence < _playSequence || (sequence == _playSequence && _playOffset > 0))
        {
            _late++;
            if (_slotLost[slot] == sequence)
            {
                // The first copy of a packet that was concealed as lost: how late it was is what the depth must cover.
                _slotLost[slot] = -1;
                MeasureLateness(sequence, arrivalTimestamp);
            }
            return JitterInsertResult.Late;
        }
        if (sequence - _playSequence >= _capacity)
        {
            // Far ahead of the play position (the reader stalled, or a burst): drop the oldest audio so that the
            // target depth remains behind this packet, and keep playing (ramped) instead of rebuffering.
            _overruns++;
            var targetPackets = Math.Min(_capacity - 1, ((TargetDepthFrames + FramesPerPacket - 1) / FramesPerPacket) + 1);
            DropBefore(sequence - targetPackets + 1);
        }

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
        MeasureLateness(sequence, arrivalTimestamp);
        return reordered ? JitterInsertResult.Reordered : JitterInsertResult.Accepted;
    }

    /// <summary>
    /// Produces the next <paramref name="frames"/> frames of audio: buffered packets in order, concealment for lost
    /// packets or a dry buffer, and silence before playing starts. Every transition is ramped, never stepped.
    /// The time of the read is taken to be one read after the previous one, or the time of a packet that arrived since.
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
        return ReadAtClock(destination, frames);
    }

    /// <summary>
    /// <see cref="Read(Span{float}, int)"/> at a known time: how late a missing packet is, and so whether to wait for
    /// it, is measured against <paramref name="readTimestamp"/> instead of an estimate (which runs up to one read behind
    /// when packets are stamped when they arrive rather than when the reader takes them).
    /// </summary>
    /// <param name="destination">Planar output of <paramref name="frames"/> × <see cref="Channels"/> samples.</param>
    /// <param name="frames">Frames per channel to produce (the engine period).</param>
    /// <param name="readTimestamp">Now, in ticks of <see cref="JitterBufferOptions.TimestampFrequency"/>, on the arrival timestamps' clock.</param>
    /// <returns><c>true</c> when real audio was played; <c>false</c> when the whole read was silence or concealment.</returns>
    public bool Read(Span<float> destination, int frames, long readTimestamp)
    {
        if (destination.Length < frames * Channels)
        {
            throw new ArgumentException("Destination is shorter than frames × channels.", nameof(destination));
        }
        _readFrames = frames;
        _clock = readTimestamp;
        return ReadAtClock(destination, frames);
    }

    private bool ReadAtClock(Span<float> destination, int frames)
    {
        if (!_playing)
        {
            if (_started && HasPacket(_playSequence) && DelayTicks(LastSequenceOfRead()) >= TargetTicks)
            {
                _playing = true;
                _minSpareInWindow = int.MaxValue;
                _minSpareInQuickWindow = int.MaxValue;
                _readsInShrinkWindow = 0;
            }
            else
            {
                EmitSilence(destination, frames, 0, frames);
                AdvanceClock(frames);
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

            var dry = _playSequence > _highestSequence;
            if (dry)
            {
                _underruns++;
                if (!_options.DryMomentsKeepDelay)
                {
                    // What the buffer holds after this dry moment is measured afresh: the backlog goes within an
                    // eighth of the shrink window, not only after a whole window without a dry moment.
                    _minSpareInWindow = int.MaxValue;
                    _minSpareInQuickWindow = int.MaxValue;
                }
            }
            if (dry || DelayTicks(_playSequence) < TargetTicks)
            {
                // Nothing newer has arrived (the sender stalled or stopped, or the newest datagrams were lost), or the
                // play delay is below the target: conceal the rest of this read and wait at the same position, which
                // adds the missing time to the delay (a stalled sender's packets are then played, not dropped as late;
                // any backlog is dropped by the shrinking). The read is concealed either way, so growing costs nothing.
                Conceal(destination, frames, written, frames - written);
                written = frames;
                concealed = true;
                _waitedFor = _playSequence;
                break;
            }

            // A gap while the delay covers the target: this packet is later than all but the allowed share, so it is
            // taken as lost; conceal its remaining frames and move on.
            if (_playOffset == 0)
            {
                _lost++;
                _slotLost[slot] = _playSequence;
                if (_waitedFor == _playSequence)
                {
                    // Its time was already concealed while the buffer waited for it: go straight on to the next one.
                    _playSequence++;
                    continue;
                }
            }
            var gapFrames = Math.Min(FramesPerPacket - _playOffset, frames - written);
            Conceal(destination, frames, written, gapFrames);
            concealed = true;
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
        AdvanceClock(frames);
        return played;
    }

    /// <summary>
    /// Whether the packet with this sequence number is buffered or already played (a copy would be dropped). A packet
    /// that was concealed as lost is not held: its late copy is still worth offering, as a measure of lateness.
    /// </summary>
    public bool Holds(ushort sequenceNumber)
    {
        if (!_started)
        {
            return false;
        }
        var delta = (short)(sequenceNumber - (ushort)_highestSequence);
        var sequence = _highestSequence + delta;
        if (sequence < _playSequence)
        {
            return _slotLost[(int)(sequence % _capacity)] != sequence;
        }
        return HasPacket(sequence);
    }

    private long FramesToTicks(long frames) => (long)((Int128)frames * _options.TimestampFrequency / _options.SampleRate);

    private long TicksToFrames(long ticks) => (long)((Int128)ticks * _options.SampleRate / _options.TimestampFrequency);

    /// <summary>How late, after the fastest transit, packet <paramref name="sequence"/> may arrive and still be read now.</summary>
    private long DelayTicks(long sequence) => _clock - FramesToTicks(NominalFrames(sequence)) - MinTransit;

    /// <summary>When packet <paramref name="sequence"/> was taken, in frames of the sender's clock (or of its sequence).</summary>
    private long NominalFrames(long sequence) => (sequence * FramesPerPacket) + _senderOffsetFrames;

    private void FollowSenderClock(long sequence, long senderMicroseconds)
    {
        var offset = (long)((Int128)senderMicroseconds * _options.SampleRate / 1_000_000) - (sequence * FramesPerPacket);
        if (!_hasSenderOffset)
        {
            _senderOffsetFrames = offset;
            _hasSenderOffset = true;
            _candidateCount = 0;
            return;
        }
        if (Math.Abs(offset - _senderOffsetFrames) <= FramesPerPacket / 2)
        {
            _candidateCount = 0;
            return;
        }
        if (_candidateCount > 0 && Math.Abs(offset - _candidateOffsetFrames) <= FramesPerPacket / 4)
        {
            _candidateCount++;
        }
        else
        {
            _candidateOffsetFrames = offset;
            _candidateCount = 1;
        }
        if (_candidateCount >= SenderJumpConfirmations)
        {
            // After a pause the transits carry on as before, but a re-anchored clock moves them all by the correction:
            // the fastest transit is taken afresh from this packet on (the lateness histogram, the link's, stays).
            _senderOffsetFrames = _candidateOffsetFrames;
            _hasTransitBase = false;
            _candidateCount = 0;
            _senderJumps++;
        }
    }

    /// <summary>The last packet the next read needs (later than the play position when packets are smaller than reads).</summary>
    private long LastSequenceOfRead() => ((_playSequence * FramesPerPacket) + _playOffset + _readFrames - 1) / FramesPerPacket;

    private void AdvanceClock(int frames)
    {
        _clock += FramesToTicks(frames);
        _clockSnaps = true;
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
        Array.Fill(_slotLost, -1L);
        // Unwrapped sequences start high enough that reordered packets before the first never go negative.
        _highestSequence = (1L << 20) + sequenceNumber;
        _playSequence = _highestSequence;
        _playOffset = 0;
        _waitedFor = -1;
        if (_playing)
        {
            _discontinuity = true;
        }
        _playing = false;
        _started = true;
        // The sender's numbering changed, so its transits did too; the lateness histogram (the link's) stays.
        _hasTransitBase = false;
        _hasSenderOffset = false;
        _senderOffsetFrames = 0;
        _candidateCount = 0;
        _eventCount = 0;
        _eventIsStall = false;
        _lateEventAge = int.MaxValue - 1;
        _packetsSinceLate = int.MaxValue - 1;
        _lastOutOfOrderSequence = -1;
        _consecutiveOutOfOrder = 0;
    }

    private void MeasureTransit(long sequence, long arrivalTimestamp)
    {
        // Transit = arrival minus the packet's nominal send time. The fastest transit of the last one to two half
        // windows is the base every lateness is measured from: a window, not a slowly rising floor, so a sender whose
        // clock drifts or jumps (it stalled and went on from where it stopped) is re-based within a window.
        var transit = arrivalTimestamp - FramesToTicks(NominalFrames(sequence));
        if (!_hasTransitBase)
        {
            _minTransitCurrent = transit;
            _minTransitPrevious = transit;
            _transitSamples = 0;
            _hasTransitBase = true;
        }
        _minTransitCurrent = Math.Min(_minTransitCurrent, transit);
        if (++_transitSamples >= _transitHalfWindow)
        {
            _minTransitPrevious = _minTransitCurrent;
            _minTransitCurrent = long.MaxValue;
            _transitSamples = 0;
        }
    }

    private void MeasureLateness(long sequence, long arrivalTimestamp)
    {
        if (!_hasTransitBase)
        {
            return; // a redundant copy before any original: nothing to measure from yet
        }
        var latenessFrames = Math.Max(0, TicksToFrames(arrivalTimestamp - FramesToTicks(NominalFrames(sequence)) - MinTransit));
        var bin = (int)Math.Min(_lateness.Length - 1, (latenessFrames + _binFrames - 1) / _binFrames);
        _latenessSeen[bin]++;

        // Late packets (later than the target) within 20 ms of each other are one event. Lateness up to the stall
        // threshold (StallMilliseconds, 20 ms unless a policy lowers it; "20 ms" below) beyond the target counts, no
        // higher than one packet above the target and 20 ms above where the event began: when the
        // jitter grew, late packets are many and the target climbs a packet with each; one odd packet moves it a packet
        // at most; a sender that slows down for a while moves it 20 ms at most, and after its first few late packets
        // the rest weigh an eighth, so the target comes down again within seconds. A packet more than 20 ms late
        // beyond the target means the sender stalled (then sent its backlog, or went on from where it stopped): what
        // the event counted so far is taken back and the rest of it is not counted, unless another stall came within
        // the window; then it counts once, one packet above the target, so repeated stalls deepen the buffer a packet
        // at a time. An event that lasts so long that it is the link's new normal counts in full.
        var late = bin > _targetBin;
        _sampleWeight *= _growth;
        _packetsSinceStall = Math.Min(_packetsSinceStall + 1, int.MaxValue - 1);
        _lateEventAge = Math.Min(_lateEventAge + 1, int.MaxValue - 1);
        var newEvent = late && _packetsSinceLate > _lateEventGapPackets;
        _packetsSinceLate = late ? 0 : Math.Min(_packetsSinceLate + 1, int.MaxValue - 1);
        var remember = false;
        var weight = _sampleWeight;
        if (late)
        {
            if (newEvent)
            {
                _eventCount = 0;
                _eventLate = 0;
                _eventIsStall = false;
                _lateEventAge = 0;
                _eventStartBin = _targetBin;
            }
            _eventLate++;
            if (_lateEventAge > _stallRunPackets)
            {
                // the link's new normal: counted as it is
            }
            else if (_eventIsStall)
            {
                return;
            }
            else if (bin > _targetBin + _stallBins)
            {
                _eventIsStall = true;
                for (var i = 0; i < _eventCount; i++)
                {
                    _lateness[_eventBins[i]] = Math.Max(0, _lateness[_eventBins[i]] - _eventWeights[i]);
                    _histogramTotal = Math.Max(0, _histogramTotal - _eventWeights[i]);
                }
                _eventCount = 0;
                var recurring = _packetsSinceStall <= _windowPackets && _options.RecurringStallsDeepen;
                _packetsSinceStall = 0;
                if (!recurring)
                {
                    UpdateTarget();
                    return;
                }
                bin = _targetBin + _binsPerPacket;
            }
            else
            {
                bin = Math.Min(bin, Math.Min(_targetBin + _binsPerPacket, _eventStartBin + _stallBins));
                weight = _eventLate <= FullWeightLatePerEvent ? _sampleWeight : _sampleWeight / 8;
                remember = _eventCount < _eventBins.Length;
            }
        }
        if (remember)
        {
            _eventBins[_eventCount] = bin;
            _eventWeights[_eventCount] = weight;
            _eventCount++;
        }
        _lateness[bin] += weight;
        _histogramTotal += weight;
        if (_sampleWeight > RescaleAbove)
        {
            var scale = 1 / _sampleWeight;
            for (var i = 0; i < _lateness.Length; i++)
            {
                _lateness[i] *= scale;
            }
            _histogramTotal *= scale;
            for (var i = 0; i < _eventCount; i++)
            {
                _eventWeights[i] *= scale;
            }
            _sampleWeight = 1;
        }
        if (++_samplesSinceQuantile >= QuantileEverySamples || bin > _targetBin)
        {
            _samplesSinceQuantile = 0;
            UpdateTarget();
        }
    }

    /// <summary>
    /// The lateness that <paramref name="share"/> of all first copies so far stayed within (the upper edge of its bin), in
    /// µs: what the link and the sender's scheduling really did, before the depth control weighed or capped anything.
    /// </summary>
    private double SeenLatenessMicroseconds(double share)
    {
        var total = 0L;
        foreach (var count in _latenessSeen)
        {
            total += count;
        }
        if (total == 0)
        {
            return 0;
        }
        var covered = Math.Max(1, (long)Math.Ceiling(total * share));
        var sum = 0L;
        var bin = 0;
        for (; bin < _latenessSeen.Length - 1; bin++)
        {
            sum += _latenessSeen[bin];
            if (sum >= covered)
            {
                break;
            }
        }
        return bin * _binFrames * 1_000_000.0 / _options.SampleRate;
    }

    private void UpdateTarget()
    {
        // The smallest lateness that all but LateShare of the (forgotten-weighted) first copies stay within.
        var covered = _histogramTotal * (1 - _options.LateShare);
        var sum = 0.0;
        for (var bin = 0; bin < _lateness.Length; bin++)
        {
            sum += _lateness[bin];
            if (sum >= covered)
            {
                _targetBin = bin;
                return;
            }
        }
        _targetBin = _lateness.Length - 1;
    }

    private void TrackSpareDepth(int frames)
    {
        // Spare = frames still buffered after this read if nothing new arrives. When a whole window kept spare audio
        // and the play delay is above the target by at least one packet, drop whole packets (one ramp): by the smaller
        // of the two, so a sender whose clock jumped (delay high, little audio buffered) is never cut. A large excess
        // (a sender's backlog after a stall) goes after an eighth of the window; one packet only after a whole window.
        var spare = DepthFrames - frames;
        _minSpareInWindow = Math.Min(_minSpareInWindow, spare);
        _minSpareInQuickWindow = Math.Min(_minSpareInQuickWindow, spare);
        var whole = ++_readsInShrinkWindow >= _shrinkWindowReads;
        if (!whole && _readsInShrinkWindow % _quickWindowReads != 0)
        {
            return;
        }
        var excessFrames = TicksToFrames(DelayTicks(LastSequenceOfRead()) - TargetTicks);
        var packets = (int)(Math.Min(whole ? _minSpareInWindow : _minSpareInQuickWindow, excessFrames) / FramesPerPacket);
        if ((whole ? packets > 0 : packets > _quickDropPackets) && _playOffset == 0 && HasPacket(_playSequence + packets))
        {
            DropBefore(_playSequence + packets);
            _skipped += packets;
            whole = true;
        }
        _minSpareInQuickWindow = int.MaxValue;
        if (whole)
        {
            _minSpareInWindow = int.MaxValue;
            _readsInShrinkWindow = 0;
        }
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
