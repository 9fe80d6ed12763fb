using System.Security.Cryptography;

namespace Loki.Learning.Media.Engine;

/// <summary>Lock-free reservation of client slots: the handshake path reserves, the mix thread releases.</summary>
/// <remarks>
/// Slots are picked at random, not lowest first, so the UDP port a client gets (base + slot) does not follow from the
/// order of joins: nobody can aim at the port the next pupil will get. (The binding of each port to its handshake in
/// <see cref="MixThread"/> is what keeps strangers out; this only stops them from knowing where to try.)
/// </remarks>
internal sealed class SlotTable
{
    private const int RandomProbes = 8;
    private readonly int[] _taken;

    public SlotTable(int count)
    {
        _taken = new int[count];
    }

    public int TryReserve()
    {
        // A few uniform picks find a free slot almost always; the scan from a random start covers a nearly full table.
        for (var probe = 0; probe < RandomProbes; probe++)
        {
            var slot = RandomNumberGenerator.GetInt32(_taken.Length);
            if (Interlocked.CompareExchange(ref _taken[slot], 1, 0) == 0)
            {
                return slot;
            }
        }
        var start = RandomNumberGenerator.GetInt32(_taken.Length);
        for (var i = 0; i < _taken.Length; i++)
        {
            var slot = (start + i) % _taken.Length;
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
