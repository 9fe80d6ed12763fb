namespace Loki.Learning.Media.Mixing;

/// <summary>
/// A metronome rendered into personal mixes, for participants who cannot schedule clicks themselves (JackTrip
/// clients). It holds a copy of the room's beat timeline: segments mapping server time (ms since the Unix epoch)
/// to beats. Built off the mix thread (it allocates its waveforms once); <see cref="Render"/> never allocates.
/// </summary>
public sealed class ClickTrack
{
    private const double ClickMs = 20;

    private readonly Segment[] _segments;
    private readonly float[] _strong;
    private readonly float[] _plain;
    private readonly double _msPerSample;

    /// <param name="segments">Running timeline, in order; each starts on a bar line.</param>
    /// <param name="sampleRate">The engine's rate.</param>
    /// <param name="volume">0..1.</param>
    public ClickTrack(IEnumerable<ClickSegment> segments, int sampleRate, float volume)
    {
        Segments = segments.ToArray();
        SampleRate = sampleRate;
        Volume = volume;
        _segments = Segments.Select(s => new Segment(s.Beat, s.EpochMs, 60_000 / s.Bpm, s.BeatsPerBar)).ToArray();
        if (_segments.Length == 0)
        {
            throw new ArgumentException("A click track needs at least one segment.", nameof(segments));
        }
        _msPerSample = 1000.0 / sampleRate;
        _strong = Tone(sampleRate, 1800, volume);
        _plain = Tone(sampleRate, 1200, volume * 0.6f);
    }

    /// <summary>The timeline it was built from (a control channel carries these to an engine in another process).</summary>
    public IReadOnlyList<ClickSegment> Segments { get; }

    /// <summary>The sample rate it renders at.</summary>
    public int SampleRate { get; }

    /// <summary>Its volume, 0..1.</summary>
    public float Volume { get; }

    /// <summary>
    /// Adds the clicks that sound between <paramref name="startEpochMs"/> and the end of the block to a planar block of
    /// <paramref name="channels"/> × <paramref name="frames"/>. A click that began in the previous block continues here.
    /// </summary>
    public void Render(Span<float> planar, int channels, int frames, double startEpochMs, float gain)
    {
        var endEpochMs = startEpochMs + (frames * _msPerSample);
        var beat = (long)Math.Ceiling(BeatAt(startEpochMs - ClickMs));
        beat = Math.Max(beat, _segments[0].Beat);
        for (var guard = 0; guard < 64; guard++, beat++)
        {
            var (onsetMs, barStart) = TimeOf(beat);
            if (onsetMs >= endEpochMs)
            {
                break;
            }
            var wave = barStart ? _strong : _plain;
            var offset = (int)Math.Round((onsetMs - startEpochMs) / _msPerSample);
            var from = Math.Max(0, -offset);
            var to = Math.Min(wave.Length, frames - offset);
            for (var channel = 0; channel < channels; channel++)
            {
                var block = planar.Slice(channel * frames, frames);
                for (var i = from; i < to; i++)
                {
                    block[offset + i] += wave[i] * gain;
                }
            }
        }
    }

    private double BeatAt(double epochMs)
    {
        var s = _segments[0];
        foreach (var candidate in _segments)
        {
            if (candidate.EpochMs <= epochMs)
            {
                s = candidate;
            }
        }
        return s.Beat + ((epochMs - s.EpochMs) / s.MsPerBeat);
    }

    private (double EpochMs, bool BarStart) TimeOf(long beat)
    {
        var s = _segments[0];
        foreach (var candidate in _segments)
        {
            if (candidate.Beat <= beat)
            {
                s = candidate;
            }
        }
        var into = beat - s.Beat;
        return (s.EpochMs + (into * s.MsPerBeat), into % s.BeatsPerBar == 0);
    }

    /// A short sine burst with a fast attack and an exponential decay: audible, and no click of its own at the edges.
    private static float[] Tone(int sampleRate, double frequency, float volume)
    {
        var wave = new float[(int)(sampleRate * ClickMs / 1000)];
        for (var i = 0; i < wave.Length; i++)
        {
            var t = (double)i / sampleRate;
            var envelope = Math.Min(1, i / 24.0) * Math.Exp(-t / 0.004);
            wave[i] = (float)(volume * envelope * Math.Sin(2 * Math.PI * frequency * t));
        }
        return wave;
    }

    private readonly record struct Segment(long Beat, double EpochMs, double MsPerBeat, int BeatsPerBar);
}

/// <summary>One segment of a beat timeline, as the control plane holds it.</summary>
/// <param name="Beat">Beat number at the segment's start (a bar line).</param>
/// <param name="EpochMs">Server time of that beat, ms since the Unix epoch.</param>
/// <param name="Bpm">Beats per minute.</param>
/// <param name="BeatsPerBar">Beats in each bar of the segment.</param>
public readonly record struct ClickSegment(long Beat, double EpochMs, double Bpm, int BeatsPerBar);
