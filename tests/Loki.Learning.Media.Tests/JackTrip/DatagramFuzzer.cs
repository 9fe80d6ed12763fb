using System.Buffers.Binary;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Media.Tests.JackTrip;

/// <summary>Seeded generator of hostile JackTrip datagrams: random, truncated, oversized, wrong fields, redundancy lies.</summary>
internal sealed class DatagramFuzzer
{
    private static readonly int[] Bits = [8, 16, 24, 32];
    private static readonly int[] Frames = [16, 32, 64, 100, 128, 256, 512];
    private readonly Random _random;

    public DatagramFuzzer(int seed)
    {
        _random = new Random(seed);
    }

    public enum Kind
    {
        Valid,
        RandomBytes,
        Truncated,
        Extended,
        FlippedBytes,
        WrongHeaderField,
        RedundancyLie,
        Oversized,
        AlmostExit,
    }

    /// <summary>A valid datagram of random shape.</summary>
    public byte[] Valid(int? frames = null, int? channels = null, int? bits = null, int? redundancy = null, int sampleRate = 48000)
    {
        var encoder = new JackTripPacketEncoder(
            sampleRate,
            bits ?? Bits[_random.Next(Bits.Length)],
            frames ?? Frames[_random.Next(Frames.Length)],
            channels ?? _random.Next(0, 4),
            _random.Next(1, 3),
            redundancy ?? _random.Next(1, 4),
            (ushort)_random.Next(65536));
        var audio = new float[encoder.FramesPerPacket * encoder.Channels];
        var datagram = new byte[encoder.MaxDatagramLength];
        var length = 0;
        for (var packet = 0; packet < encoder.Redundancy; packet++)
        {
            for (var i = 0; i < audio.Length; i++)
            {
                audio[i] = (float)((_random.NextDouble() * 2) - 1);
            }
            length = encoder.Encode(audio, (ulong)_random.NextInt64(), datagram);
        }
        return datagram.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// A 48 kHz 16-bit datagram whose channel bytes are anything (0–255 each), sized for the channels its header
    /// says, for some other count (0–32), or for its count plus a few stray bytes.
    /// </summary>
    public byte[] ChannelLie(int frames = 32)
    {
        var wanted = (byte)_random.Next(256);
        var code = (byte)_random.Next(256);
        if (_random.Next(3) == 0)
        {
            // Near the limit, where an off-by-one would hide.
            (wanted, code) = ((byte)_random.Next(14, 19), (byte)_random.Next(14, 19));
        }
        var header = new JackTripHeader((ulong)_random.NextInt64(), (ushort)_random.Next(65536), (ushort)frames, 3, 16, wanted, code);
        var claimed = header.AudioChannels;
        var carried = _random.Next(3) == 1 ? _random.Next(0, 33) : claimed;
        var datagram = new byte[JackTripHeader.Size + (frames * carried * 2) + (_random.Next(4) == 0 ? _random.Next(1, 5) : 0)];
        _random.NextBytes(datagram);
        header.TryWrite(datagram);
        return datagram;
    }

    public (Kind Kind, byte[] Datagram) Next(Func<byte[]> valid)
    {
        var kind = (Kind)_random.Next(Enum.GetValues<Kind>().Length);
        return (kind, Mutate(kind, valid()));
    }

    public byte[] Mutate(Kind kind, byte[] valid)
    {
        switch (kind)
        {
            case Kind.Valid:
                return valid;
            case Kind.RandomBytes:
                var random = new byte[_random.Next(0, 2048)];
                _random.NextBytes(random);
                return random;
            case Kind.Truncated:
                return valid.AsSpan(0, _random.Next(0, valid.Length)).ToArray();
            case Kind.Extended:
                var extended = new byte[valid.Length + _random.Next(1, 300)];
                valid.CopyTo(extended, 0);
                _random.NextBytes(extended.AsSpan(valid.Length));
                return extended;
            case Kind.FlippedBytes:
                var flipped = (byte[])valid.Clone();
                for (var i = _random.Next(1, 5); i > 0; i--)
                {
                    flipped[_random.Next(flipped.Length)] ^= (byte)_random.Next(1, 256);
                }
                return flipped;
            case Kind.WrongHeaderField:
                var wrong = (byte[])valid.Clone();
                switch (_random.Next(5))
                {
                    case 0:
                        BinaryPrimitives.WriteUInt16LittleEndian(wrong.AsSpan(10), (ushort)_random.Next(65536));
                        break;
                    case 1:
                        wrong[12] = (byte)_random.Next(7, 256);
                        break;
                    case 2:
                        wrong[13] = (byte)_random.Next(256);
                        break;
                    case 3:
                        wrong[14] = (byte)_random.Next(256);
                        break;
                    default:
                        wrong[15] = (byte)_random.Next(256);
                        break;
                }
                return wrong;
            case Kind.RedundancyLie:
                // Copies of one packet glued together (same sequence), or a packet followed by a foreign one.
                var packetLength = valid.Length;
                var copies = _random.Next(2, 5);
                var lie = new byte[packetLength * copies];
                for (var i = 0; i < copies; i++)
                {
                    valid.CopyTo(lie, i * packetLength);
                }
                if (_random.Next(2) == 0 && lie.Length > packetLength + 9)
                {
                    lie[packetLength + 8] ^= 0x55; // break the older copy's sequence
                }
                return lie;
            case Kind.Oversized:
                var oversized = new byte[JackTripDatagram.MaxDatagramLength + _random.Next(1, 100)];
                valid.CopyTo(oversized, 0);
                return oversized;
            default:
                var almost = new byte[JackTripDatagram.ExitLength + _random.Next(-1, 2)];
                Array.Fill(almost, (byte)0xFF);
                if (almost.Length == JackTripDatagram.ExitLength)
                {
                    almost[_random.Next(almost.Length)] = (byte)_random.Next(255);
                }
                return almost;
        }
    }
}
