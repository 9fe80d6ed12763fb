namespace Loki.Learning.Media.Jitter;

/// <summary>What <see cref="JitterBuffer.Insert(ushort, ReadOnlySpan{float}, long, bool)"/> did with a packet.</summary>
public enum JitterInsertResult
{
    /// <summary>Buffered in sequence.</summary>
    Accepted,

    /// <summary>Buffered in the gap it belongs to, after newer packets.</summary>
    Reordered,

    /// <summary>Dropped: already buffered.</summary>
    Duplicate,

    /// <summary>Dropped: its play time has passed.</summary>
    Late,

    /// <summary>Dropped: the sequence jumped by more than 1000 (or far backwards).</summary>
    OutOfOrder,

    /// <summary>Dropped: the shape (frames, channels) differs from the buffer's.</summary>
    WrongShape,
}
