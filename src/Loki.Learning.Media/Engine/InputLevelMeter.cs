namespace Loki.Learning.Media.Engine;

/// <summary>
/// Peak and RMS of one participant's input over a window of about 100 ms, for meters. The mix thread adds each
/// period's input; any thread reads the last complete window. Allocation-free.
/// </summary>
/// <remarks>
/// Threading: <see cref="Add"/> on the mix thread only; <see cref="Read"/> from any thread. Both figures are published
/// together in one 64-bit word so a reader never sees the peak of one window with the RMS of another.
/// </remarks>
internal sealed class InputLevelMeter
{
    private readonly int _windowPeriods;
    private float _peak;
    private double _sumOfSquares;
    private long _samples;
    private int _periods;
    private long _published; // high 32 bits: peak, low 32 bits: RMS (float bits)

    public InputLevelMeter(int windowPeriods)
    {
        _windowPeriods = Math.Max(1, windowPeriods);
    }

    /// <summary>Periods in a window of about 100 ms for this period size and rate.</summary>
    public static int WindowPeriodsFor(int periodFrames, int sampleRate) =>
        Math.Max(1, (int)Math.Round(0.1 * sampleRate / periodFrames));

    /// <summary>Adds one period of input (any layout; all channels count). Mix thread only.</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        var peak = _peak;
        var sum = 0.0;
        foreach (var sample in samples)
        {
            var magnitude = Math.Abs(sample);
            if (magnitude > peak)
            {
                peak = magnitude;
            }
            sum += sample * (double)sample;
        }
        _peak = peak;
        _sumOfSquares += sum;
        _samples += samples.Length;
        if (++_periods < _windowPeriods)
        {
            return;
        }
        var rms = _samples == 0 ? 0f : (float)Math.Sqrt(_sumOfSquares / _samples);
        var packed = ((long)BitConverter.SingleToInt32Bits(Math.Min(1f, _peak)) << 32) | (uint)BitConverter.SingleToInt32Bits(Math.Min(1f, rms));
        Volatile.Write(ref _published, packed);
        _peak = 0f;
        _sumOfSquares = 0;
        _samples = 0;
        _periods = 0;
    }

    /// <summary>The last complete window's peak and RMS, linear 0..1 (0 before the first window). Any thread.</summary>
    public (float Peak, float Rms) Read()
    {
        var packed = Volatile.Read(ref _published);
        return (BitConverter.Int32BitsToSingle((int)(packed >> 32)), BitConverter.Int32BitsToSingle((int)packed));
    }
}
