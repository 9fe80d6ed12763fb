namespace Loki.Learning.Media.Engine;

/// <summary>Lock-free reservation of client slots: the handshake path reserves, the mix thread releases.</summary>
internal sealed class SlotTable
{
    private readonly int[] _taken;

    public SlotTable(int count)
    {
        _taken = new int[count];
    }

    public int TryReserve()
    {
        for (var slot = 0; slot < _taken.Length; slot++)
        {
            if (Interlocked.CompareExchange(ref _taken[slot], 1, 0) == 0)
            {
                return slot;
            }
        }
        return -1;
    }

    public void Release(int slot) => Volatile.Write(ref _taken[slot], 0);

    public int InUse
    {
        get
        {
            var count = 0;
            for (var slot = 0; slot < _taken.Length; slot++)
            {
                count += Volatile.Read(ref _taken[slot]);
            }
            return count;
        }
    }
}
