namespace Loki.Learning.Media.Mixing;

/// <summary>
/// One participant of a <see cref="MixingRoom"/>: an input block the engine fills each period and an output block
/// (the participant's personal mix) the room fills in <see cref="MixingRoom.Mix()"/>. Audio is planar, one period long.
/// </summary>
/// <remarks>Threading: owned by the thread that calls <see cref="MixingRoom.Mix()"/>.</remarks>
public sealed class MixParticipant
{
    private readonly float[] _input;
    private readonly float[] _output;

    internal MixParticipant(int id, int slot, int inputChannels, int outputChannels, int periodFrames)
    {
        Id = id;
        Slot = slot;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        PeriodFrames = periodFrames;
        _input = new float[inputChannels * periodFrames];
        _output = new float[outputChannels * periodFrames];
    }

    /// <summary>Identifier the engine gave the participant.</summary>
    public int Id { get; }

    /// <summary>Channels the participant sends: 0 (listen only), 1 (mono) or 2 (stereo).</summary>
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

    internal int Slot { get; }

    internal bool HasCustomGains { get; set; }

    internal bool InRoomSum { get; set; }

    internal Span<float> WritableOutput => _output;
}
