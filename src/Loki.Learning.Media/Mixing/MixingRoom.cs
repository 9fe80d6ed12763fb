namespace Loki.Learning.Media.Mixing;

/// <summary>
/// The media session of one room: a set of participants, each receiving a personal mix of the others every period.
/// By default a listener hears everyone except itself (mix-minus) at unity gain; a listener can set a gain per source,
/// enable self-monitoring, and the room applies a master gain to every mix. Mono sources are heard in both channels
/// of a stereo listener; a mono listener hears the average of a stereo source's channels. A source with more channels
/// (a hall or studio, up to 16) is folded down to stereo by its per-channel pan/gain.
/// </summary>
/// <remarks>
/// Threading: owned by one thread (the engine's mix thread). Adding a participant allocates its blocks; <see cref="Mix()"/>
/// allocates nothing. Cost: listeners with default gains get "room sum minus own input" (linear in participants);
/// only listeners with custom gains pay a full weighted sum.
/// </remarks>
public sealed class MixingRoom
{
    private readonly MixParticipant?[] _bySlot;
    private readonly MixParticipant[] _active;
    private readonly float[] _gains;      // [listener slot × capacity + source slot]
    private readonly float[] _roomSum;    // stereo, planar: unity-gain sum of every unmuted input
    private readonly float[] _roomMix;    // _roomSum × master gain, for recording and audiences
    private readonly float[] _scratch;    // stereo, planar: a listener's weighted sum before downmix
    private int _count;
    private IRoomTap[] _taps = [];

    /// <summary>Creates an empty room.</summary>
    /// <param name="roomId">Identifier chosen by the control plane.</param>
    /// <param name="periodFrames">Frames per period (32, 64, 128 or 256 usually).</param>
    /// <param name="capacity">Most participants the room can hold; bounds the gain matrix.</param>
    public MixingRoom(string roomId, int periodFrames, int capacity = 64)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentOutOfRangeException.ThrowIfLessThan(periodFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        RoomId = roomId;
        PeriodFrames = periodFrames;
        Capacity = capacity;
        _bySlot = new MixParticipant?[capacity];
        _active = new MixParticipant[capacity];
        _gains = new float[capacity * capacity];
        _roomSum = new float[2 * periodFrames];
        _roomMix = new float[2 * periodFrames];
        _scratch = new float[2 * periodFrames];
    }

    /// <summary>Identifier chosen by the control plane.</summary>
    public string RoomId { get; }

    /// <summary>Frames per period.</summary>
    public int PeriodFrames { get; }

    /// <summary>Most participants the room can hold.</summary>
    public int Capacity { get; }

    /// <summary>Gain applied to every personal mix and to <see cref="RoomMix"/> (linear, 1 = unity).</summary>
    public float MasterGain { get; set; } = 1f;

    /// <summary>The room's metronome for participants who have it rendered by the server; null when stopped.</summary>
    public ClickTrack? Click { get; set; }

    /// <summary>Taps that see every period (recorders, audience streams).</summary>
    public ReadOnlySpan<IRoomTap> Taps => _taps;

    /// <summary>Adds a tap (allocates; not for the steady state). False when it is already attached.</summary>
    public bool AddTap(IRoomTap tap)
    {
        if (Array.IndexOf(_taps, tap) >= 0)
        {
            return false;
        }
        _taps = [.. _taps, tap];
        return true;
    }

    /// <summary>Removes a tap and tells it so. False when it was not attached.</summary>
    public bool RemoveTap(IRoomTap tap)
    {
        if (Array.IndexOf(_taps, tap) < 0)
        {
            return false;
        }
        _taps = _taps.Where(t => t != tap).ToArray();
        tap.OnDetached();
        return true;
    }

    /// <summary>Detaches every tap (the room is closing).</summary>
    public void RemoveAllTaps()
    {
        var taps = _taps;
        _taps = [];
        foreach (var tap in taps)
        {
            tap.OnDetached();
        }
    }

    /// <summary>Participants currently in the room (in no particular order).</summary>
    public ReadOnlySpan<MixParticipant> Participants => _active.AsSpan(0, _count);

    /// <summary>Everyone unmuted at unity gain times the master gain, stereo planar; for recording and audiences.</summary>
    public ReadOnlySpan<float> RoomMix => _roomMix;

    /// <summary>Adds a participant with all gains at unity, mix-minus, unmuted.</summary>
    /// <param name="id">Engine-wide identifier; must not already be in the room.</param>
    /// <param name="inputChannels">0 (listen only) up to <see cref="MixParticipant.MaxInputChannels"/>; three or more
    /// are folded down to stereo by the participant's per-channel pan/gain (<see cref="MixParticipant.SetChannelMix"/>).</param>
    /// <param name="outputChannels">1 or 2.</param>
    /// <returns>The participant, or <c>null</c> when the room is full or the id is taken.</returns>
    public MixParticipant? AddParticipant(int id, int inputChannels, int outputChannels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputChannels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputChannels, MixParticipant.MaxInputChannels);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputChannels, 2);
        if (_count == Capacity || Find(id) is not null)
        {
            return null;
        }
        var slot = Array.IndexOf(_bySlot, null);
        for (var other = 0; other < Capacity; other++)
        {
            _gains[(slot * Capacity) + other] = 1f;
            _gains[(other * Capacity) + slot] = 1f;
        }
        var participant = new MixParticipant(id, slot, inputChannels, outputChannels, PeriodFrames);
        _bySlot[slot] = participant;
        _active[_count++] = participant;
        RefreshCustomGainFlags();
        return participant;
    }

    /// <summary>Removes a participant.</summary>
    /// <returns><c>false</c> when the id is not in the room.</returns>
    public bool RemoveParticipant(int id)
    {
        var participant = Find(id);
        if (participant is null)
        {
            return false;
        }
        _bySlot[participant.Slot] = null;
        var index = Array.IndexOf(_active, participant, 0, _count);
        _active[index] = _active[_count - 1];
        _active[--_count] = null!;
        RefreshCustomGainFlags();
        return true;
    }

    /// <summary>Finds a participant by id.</summary>
    /// <returns>The participant or <c>null</c>.</returns>
    public MixParticipant? Find(int id)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_active[i].Id == id)
            {
                return _active[i];
            }
        }
        return null;
    }

    /// <summary>Sets how loud <paramref name="sourceId"/> is in <paramref name="listenerId"/>'s mix (linear, 0 = silent).</summary>
    /// <returns><c>false</c> when either participant is not in the room or the gain is not a finite, non-negative number.</returns>
    public bool SetGain(int listenerId, int sourceId, float gain)
    {
        var listener = Find(listenerId);
        var source = Find(sourceId);
        if (listener is null || source is null || !float.IsFinite(gain) || gain < 0f)
        {
            return false;
        }
        _gains[(listener.Slot * Capacity) + source.Slot] = gain;
        RefreshCustomGainFlags();
        return true;
    }

    /// <summary>The gain of <paramref name="sourceId"/> in <paramref name="listenerId"/>'s mix, or <c>null</c> when either is absent.</summary>
    public float? GetGain(int listenerId, int sourceId)
    {
        var listener = Find(listenerId);
        var source = Find(sourceId);
        return listener is null || source is null ? null : _gains[(listener.Slot * Capacity) + source.Slot];
    }

    /// <summary>
    /// Computes every participant's personal mix from the inputs of this period. Inputs whose
    /// <see cref="MixParticipant.HasInput"/> is false count as silence. Does not allocate.
    /// </summary>
    public void Mix() => Mix(0);

    /// <summary>As <see cref="Mix()"/>; <paramref name="periodEpochMs"/> (server time of this period's first frame)
    /// places the <see cref="Click"/> in the mixes of participants whose <see cref="MixParticipant.ClickGain"/> is set.</summary>
    public void Mix(double periodEpochMs)
    {
        var frames = PeriodFrames;
        var sum = _roomSum.AsSpan();
        sum.Clear();
        var participants = Participants;
        foreach (var source in participants)
        {
            source.InRoomSum = source.HasInput && !source.Muted && source.InputChannels > 0;
            if (source.InRoomSum)
            {
                source.AddToStereo(sum, 1f);
            }
        }

        sum.CopyTo(_roomMix);
        SampleMath.Scale(_roomMix, MasterGain);

        var scratch = _scratch.AsSpan();
        foreach (var listener in participants)
        {
            if (!listener.HasCustomGains)
            {
                if (listener.InRoomSum && !listener.SelfMonitor)
                {
                    // Mix-minus: the room sum without the listener's own contribution.
                    scratch.Clear();
                    listener.AddToStereo(scratch, 1f);
                    SampleMath.SubtractScaled(sum, scratch, scratch, 1f);
                }
                else
                {
                    sum.CopyTo(scratch);
                }
            }
            else
            {
                scratch.Clear();
                var row = listener.Slot * Capacity;
                foreach (var source in participants)
                {
                    if (!source.InRoomSum || (source == listener && !listener.SelfMonitor))
                    {
                        continue;
                    }
                    var gain = _gains[row + source.Slot];
                    if (gain != 0f)
                    {
                        source.AddToStereo(scratch, gain);
                    }
                }
            }

            var output = listener.WritableOutput;
            if (listener.OutputChannels == 2)
            {
                scratch.CopyTo(output);
                SampleMath.Scale(output, MasterGain);
            }
            else
            {
                // Mono listener: average of left and right (a mono source was added to both at full level).
                var left = scratch[..frames];
                var right = scratch.Slice(frames, frames);
                var half = MasterGain * 0.5f;
                for (var i = 0; i < frames; i++)
                {
                    output[i] = (left[i] + right[i]) * half;
                }
            }
            if (Click is { } click && listener.ClickGain > 0f)
            {
                click.Render(output, listener.OutputChannels, frames, periodEpochMs + listener.ClickLeadMs, listener.ClickGain);
            }
        }

        foreach (var tap in _taps)
        {
            try
            {
                tap.OnPeriod(this, periodEpochMs);
            }
            catch (Exception)
            {
                // A broken tap must not take the room's audio down with it.
                RemoveTap(tap);
            }
        }
    }

    private void RefreshCustomGainFlags()
    {
        foreach (var listener in Participants)
        {
            var row = _gains.AsSpan(listener.Slot * Capacity, Capacity);
            var custom = false;
            foreach (var source in Participants)
            {
                if (row[source.Slot] != 1f)
                {
                    custom = true;
                    break;
                }
            }
            listener.HasCustomGains = custom;
        }
    }
}
