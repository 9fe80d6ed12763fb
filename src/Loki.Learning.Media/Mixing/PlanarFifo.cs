namespace Loki.Learning.Media.Mixing;

/// <summary>
/// A fixed-capacity FIFO of planar multi-channel frames. Re-blocks a stream of one block size into another
/// (engine periods into a client's packet size). Allocates only in the constructor.
/// </summary>
/// <remarks>Threading: one owner thread.</remarks>
public sealed class PlanarFifo
{
    private readonly float[] _samples; // channels × capacity, one ring per channel
    private int _readPosition;
    private int _count;

    /// <summary>Creates an empty FIFO.</summary>
    /// <param name="channels">Channels per frame, at least 1.</param>
    /// <param name="capacityFrames">Frames the FIFO can hold.</param>
    public PlanarFifo(int channels, int capacityFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityFrames, 1);
        Channels = channels;
        CapacityFrames = capacityFrames;
        _samples = new float[channels * capacityFrames];
    }

    /// <summary>Channels per frame.</summary>
    public int Channels { get; }

    /// <summary>Frames the FIFO can hold.</summary>
    public int CapacityFrames { get; }

    /// <summary>Frames currently held.</summary>
    public int Count => _count;

    /// <summary>Appends <paramref name="frames"/> frames of planar audio.</summary>
    /// <returns><c>false</c> (and nothing written) when there is not enough room.</returns>
    public bool TryWrite(ReadOnlySpan<float> planar, int frames)
    {
        if (frames > CapacityFrames - _count || planar.Length < frames * Channels)
        {
            return false;
        }
        var writePosition = (_readPosition + _count) % CapacityFrames;
        var firstRun = Math.Min(frames, CapacityFrames - writePosition);
        for (var channel = 0; channel < Channels; channel++)
        {
            var source = planar.Slice(channel * frames, frames);
            var ring = _samples.AsSpan(channel * CapacityFrames, CapacityFrames);
            source[..firstRun].CopyTo(ring[writePosition..]);
            source[firstRun..].CopyTo(ring);
        }
        _count += frames;
        return true;
    }

    /// <summary>Removes <paramref name="frames"/> frames into planar <paramref name="destination"/>.</summary>
    /// <returns><c>false</c> (and nothing read) when fewer frames are held.</returns>
    public bool TryRead(Span<float> destination, int frames)
    {
        if (frames > _count || destination.Length < frames * Channels)
        {
            return false;
        }
        var firstRun = Math.Min(frames, CapacityFrames - _readPosition);
        for (var channel = 0; channel < Channels; channel++)
        {
            var target = destination.Slice(channel * frames, frames);
            var ring = _samples.AsSpan(channel * CapacityFrames, CapacityFrames);
            ring.Slice(_readPosition, firstRun).CopyTo(target);
            ring[..(frames - firstRun)].CopyTo(target[firstRun..]);
        }
        _readPosition = (_readPosition + frames) % CapacityFrames;
        _count -= frames;
        return true;
    }

    /// <summary>Discards everything held.</summary>
    public void Clear()
    {
        _readPosition = 0;
        _count = 0;
    }
}
