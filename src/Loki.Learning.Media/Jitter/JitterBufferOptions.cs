namespace Loki.Learning.Media.Jitter;

/// <summary>Tuning of a <see cref="JitterBuffer"/>. Defaults suit 48 kHz rehearsal audio.</summary>
public sealed record JitterBufferOptions
{
    /// <summary>Sample rate of the stream in Hz; converts frames to time.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>Ticks per second of the arrival timestamps passed to <see cref="JitterBuffer.Insert"/> (e.g. <see cref="TimeProvider.TimestampFrequency"/>).</summary>
    public long TimestampFrequency { get; init; } = TimeSpan.TicksPerSecond;

    /// <summary>Largest depth the buffer may grow to, in milliseconds; bounds the preallocated ring.</summary>
    public double MaxDepthMilliseconds { get; init; } = 200;

    /// <summary>Extra depth kept on top of the measured jitter, in frames.</summary>
    public int SafetyFrames { get; init; } = 32;

    /// <summary>Length of the linear ramp that removes a step at any discontinuity (loss, resume, skip), in frames.</summary>
    public int DeclickFrames { get; init; } = 64;

    /// <summary>How long a concealment takes to fade the repeated audio to silence, in frames.</summary>
    public int ConcealFadeFrames { get; init; } = 480;

    /// <summary>Seconds over which the jitter peak is remembered; the depth shrinks only after one to two windows of calm.</summary>
    public double JitterWindowSeconds { get; init; } = 2;

    /// <summary>Seconds of reads over which spare depth must persist before one packet is dropped to shrink the buffer.</summary>
    public double ShrinkWindowSeconds { get; init; } = 1;

    /// <summary>Consecutive out-of-order packets (jump over 1000) that make the buffer follow the new sequence (a restarted sender).</summary>
    public int ResyncAfterOutOfOrder { get; init; } = 8;
}
