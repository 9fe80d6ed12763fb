namespace Loki.Learning.Media.SharedMemory;

/// <summary>
/// A fixed block of memory the rings live in: a pinned array in this process (<see cref="PinnedRingMemory"/>) or a
/// memory-mapped file shared with another process (<see cref="MappedRingMemory"/>). The rings address it by byte offset
/// only, so the same ring code serves both; nothing in it is a reference the garbage collector follows.
/// </summary>
/// <remarks>The memory must outlive every thread using the rings: for a mapping, dispose it only after both of this
/// process's ends have stopped (a pinned array lives as long as anything references it).</remarks>
public abstract unsafe class RingMemory : IDisposable
{
    /// <summary>First byte, aligned to <see cref="RingHeader.CacheLine"/>.</summary>
    internal byte* Base { get; private protected set; }

    /// <summary>Usable bytes from <see cref="Base"/>.</summary>
    public long Length { get; private protected set; }

    /// <summary>A 64-bit field at <paramref name="offset"/> (a multiple of 8 below <see cref="Length"/>: the layout guarantees it).</summary>
    internal ref long Int64(long offset) => ref *(long*)(Base + offset);

    /// <summary>A 32-bit field at <paramref name="offset"/> (a multiple of 4 below <see cref="Length"/>).</summary>
    internal ref int Int32(long offset) => ref *(int*)(Base + offset);

    /// <summary><paramref name="count"/> floats from <paramref name="offset"/> (the caller has checked the range).</summary>
    internal Span<float> Floats(long offset, int count) => new(Base + offset, count);

    /// <inheritdoc />
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Gives the memory back (a mapping's pointer and view).</summary>
    protected virtual void Release()
    {
    }
}

/// <summary>
/// Ring memory for one process: a pinned array on the pinned object heap, so its address never moves and the rings can
/// work on pointers as they do over a mapping. Zeroed; freed by the garbage collector when no longer referenced.
/// </summary>
public sealed unsafe class PinnedRingMemory : RingMemory
{
    private readonly byte[] _bytes;

    /// <param name="length">Bytes the layout needs.</param>
    public PinnedRingMemory(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _bytes = GC.AllocateArray<byte>(checked((int)length + RingHeader.CacheLine), pinned: true);
        var start = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _bytes[0]);
        Base = (byte*)(((nuint)start + RingHeader.CacheLine - 1) & ~(nuint)(RingHeader.CacheLine - 1));
        Length = length;
    }
}
