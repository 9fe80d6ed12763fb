namespace Loki.Learning.Media.Mixing;

/// <summary>
/// One participant of a <see cref="MixingRoom"/>: an input block the engine fills each period and an output block
/// (the participant's personal mix) the room fills in <see cref="MixingRoom.Mix()"/>. Audio is planar, one period long.
/// </summary>
/// <remarks>Threading: owned by the thread that calls <see cref="MixingRoom.Mix()"/>.</remarks>
public sealed class MixParticipant
{
    /// <summary>Most channels one participant may send (a concert hall or studio over JackTrip).</summary>
    public const int MaxInputChannels = 16;

    private readonly float[] _input;
    private readonly float[] _output;
    private readonly float[] _channelLeft;
    private readonly float[] _channelRight;
    private readonly float[] _channelPan;
    private readonly float[] _channelGain;

    internal MixParticipant(int id, int slot, int inputChannels, int outputChannels, int periodFrames)
    {
        Id = id;
        Slot = slot;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        PeriodFrames = periodFrames;
        _input = new float[inputChannels * periodFrames];
        _output = new float[outputChannels * periodFrames];
        _channelLeft = new float[inputChannels];
        _channelRight = new float[inputChannels];
        _channelPan = new float[inputChannels];
        _channelGain = new float[inputChannels];
        for (var channel = 0; channel < inputChannels; channel++)
        {
            var (pan, gain) = DefaultChannelMix(channel, inputChannels);
            SetChannelMix(channel, pan, gain);
        }
        UsesChannelMix = inputChannels > 2;
    }

    /// <summary>
    /// Where a channel sits in the stereo fold-down until the host says otherwise. One or two channels keep the plain
    /// rules (mono in both sides at unity, stereo left/right at unity). Three or more are spread evenly from hard
    /// left (first) to hard right (last), each at <c>√(2/N)</c> with an equal-power pan: N uncorrelated channels
    /// (separate microphones on separate instruments, the usual hall or studio feed) then carry the same total power
    /// as a stereo participant at unity, so an 8-channel site is neither 9 dB louder than everyone else (unity per
    /// channel) nor buried (1/N, which is right only for identical signals).
    /// </summary>
    /// <returns>Pan in −1 (left) … +1 (right) and linear gain.</returns>
    public static (float Pan, float Gain) DefaultChannelMix(int channel, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, channels);
        return channels switch
        {
            1 => (0f, 1f),
            2 => (channel == 0 ? -1f : 1f, 1f),
            _ => (-1f + (2f * channel / (channels - 1)), MathF.Sqrt(2f / channels)),
        };
    }

    /// <summary>Identifier the engine gave the participant.</summary>
    public int Id { get; }

    /// <summary>Channels the participant sends: 0 (listen only), 1 (mono), 2 (stereo), up to <see cref="MaxInputChannels"/>.</summary>
    public int InputChannels { get; }

    /// <summary>Channels of the participant's personal mix: 1 or 2.</summary>
    public int OutputChannels { get; }

    /// <summary>When set, nobody hears this participant.</summary>
    public bool Muted { get; set; }

    /// <summary>When set, the participant hears itself in its own mix (off by default: mix-minus).</summary>
    public bool SelfMonitor { get; set; }

    /// <summary>Level of the room's click in this participant's mix (0: none).</summary>
    public float ClickGain { get; set; }

    /// <summary>How early the click is rendered for this participant, in ms (its measured delay from the hub).</summary>
    public double ClickLeadMs { get; set; }

    /// <summary>Set by whoever fills <see cref="Input"/> for this period; <c>false</c> makes the input count as silence.</summary>
    public bool HasInput { get; set; }

    /// <summary>This period's input, planar (<see cref="InputChannels"/> × period frames).</summary>
    public Span<float> Input => _input;

    /// <summary>Frames per period.</summary>
    public int PeriodFrames { get; }

    /// <summary>This period's personal mix, planar (<see cref="OutputChannels"/> × period frames).</summary>
    public ReadOnlySpan<float> Output => _output;

    /// <summary>Pan (−1 left … +1 right) of input <paramref name="channel"/> in the stereo fold-down.</summary>
    public float ChannelPan(int channel) => _channelPan[channel];

    /// <summary>Linear gain of input <paramref name="channel"/> in the stereo fold-down.</summary>
    public float ChannelGain(int channel) => _channelGain[channel];

    /// <summary>
    /// Sets where input <paramref name="channel"/> sits in the stereo fold-down every listener hears (equal-power pan:
    /// the centre is −3 dB per side). Commands only (allocation-free, but not for the audio path to call).
    /// </summary>
    /// <returns><c>false</c> when the channel does not exist or the pan/gain are out of range (nothing changes).</returns>
    public bool SetChannelMix(int channel, float pan, float gain)
    {
        if ((uint)channel >= (uint)InputChannels || !float.IsFinite(pan) || pan is < -1f or > 1f || !float.IsFinite(gain) || gain < 0f)
        {
            return false;
        }
        var angle = (pan + 1f) * MathF.PI / 4f;
        _channelPan[channel] = pan;
        _channelGain[channel] = gain;
        _channelLeft[channel] = gain * MathF.Cos(angle);
        _channelRight[channel] = gain * MathF.Sin(angle);
        // A mono or stereo participant whose host placed a channel leaves the plain unity rules for the matrix.
        UsesChannelMix = true;
        return true;
    }

    /// <summary>
    /// Adds this period's input, folded down to stereo by the per-channel pan/gain and scaled by
    /// <paramref name="gain"/>, to planar <paramref name="stereo"/> (2 × period frames). Allocation-free.
    /// </summary>
    public void AddToStereo(Span<float> stereo, float gain)
    {
        var frames = PeriodFrames;
        var input = Input;
        var left = stereo[..frames];
        var right = stereo.Slice(frames, frames);
        if (!UsesChannelMix)
        {
            if (InputChannels == 1)
            {
                SampleMath.AddScaled(input[..frames], left, gain);
                SampleMath.AddScaled(input[..frames], right, gain);
            }
            else if (InputChannels == 2)
            {
                SampleMath.AddScaled(input[..frames], left, gain);
                SampleMath.AddScaled(input.Slice(frames, frames), right, gain);
            }
            return;
        }
        for (var channel = 0; channel < InputChannels; channel++)
        {
            var samples = input.Slice(channel * frames, frames);
            var toLeft = _channelLeft[channel] * gain;
            var toRight = _channelRight[channel] * gain;
            if (toLeft != 0f)
            {
                SampleMath.AddScaled(samples, left, toLeft);
            }
            if (toRight != 0f)
            {
                SampleMath.AddScaled(samples, right, toRight);
            }
        }
    }

    internal int Slot { get; }

    /// <summary>Whether the fold-down uses the per-channel matrix (three or more channels, or a channel the host placed).</summary>
    internal bool UsesChannelMix { get; private set; }

    internal bool HasCustomGains { get; set; }

    internal bool InRoomSum { get; set; }

    internal Span<float> WritableOutput => _output;
}
