using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// Reads the fields of one frame's body, in order. Every read checks that the field is there and in range; anything
/// else throws a <see cref="ControlProtocolException"/> naming the field, never an index or cast exception.
/// </summary>
public ref struct ControlReader
{
    private readonly ReadOnlySpan<byte> _body;
    private int _offset;

    /// <summary>Reads <paramref name="body"/> (a frame without its length prefix).</summary>
    public ControlReader(ReadOnlySpan<byte> body)
    {
        _body = body;
        _offset = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _body.Length - _offset;

    /// <summary>Throws when bytes are left over after the last field.</summary>
    public readonly void End(string what)
    {
        if (Remaining != 0)
        {
            throw new ControlProtocolException($"{Remaining} bytes left over after {what}.");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || Remaining < count)
        {
            throw new ControlProtocolException($"The frame ends inside {field} (at byte {_offset} of {_body.Length}).");
        }
        var span = _body.Slice(_offset, count);
        _offset += count;
        return span;
    }

    /// <summary>Reads one byte.</summary>
    public byte Byte(string field) => Take(1, field)[0];

    /// <summary>Reads 0 or 1.</summary>
    public bool Bool(string field) => Byte(field) switch
    {
        0 => false,
        1 => true,
        var other => throw new ControlProtocolException($"{field} is {other}, not 0 or 1."),
    };

    /// <summary>Reads a little-endian unsigned 16-bit integer.</summary>
    public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    /// <summary>Reads a little-endian 32-bit integer.</summary>
    public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    /// <summary>Reads a little-endian 32-bit integer from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public int Int32(string field, int min, int max)
    {
        var value = Int32(field);
        if (value < min || value > max)
        {
            throw new ControlProtocolException($"{field} is {value}, outside {min}..{max}.");
        }
        return value;
    }

    /// <summary>Reads a little-endian unsigned 32-bit integer.</summary>
    public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    /// <summary>Reads a little-endian 64-bit integer.</summary>
    public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    /// <summary>Reads an IEEE 754 single.</summary>
    public float Single(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));

    /// <summary>Reads an IEEE 754 double.</summary>
    public double Double(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

    /// <summary>Reads a presence byte and, when present, the value.</summary>
    public int? OptionalInt32(string field) => Bool(field) ? Int32(field) : null;

    /// <summary>Reads a presence byte and, when present, the value.</summary>
    public double? OptionalDouble(string field) => Bool(field) ? Double(field) : null;

    /// <summary>Reads a span of time (ticks).</summary>
    public TimeSpan Duration(string field) => new(Int64(field));

    /// <summary>Reads a presence byte and, when present, the ticks.</summary>
    public TimeSpan? OptionalDuration(string field) => Bool(field) ? Duration(field) : null;

    /// <summary>Reads a moment (UTC ticks).</summary>
    public DateTimeOffset Moment(string field)
    {
        var ticks = Int64(field);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ControlProtocolException($"{field} is not a valid time.");
        }
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>Reads a UTF-8 string with a 16-bit length.</summary>
    public string String(string field)
    {
        var length = UInt16(field);
        if (length > ControlChannel.MaxStringBytes)
        {
            throw new ControlProtocolException($"{field} is {length} bytes long; at most {ControlChannel.MaxStringBytes} are allowed.");
        }
        var bytes = Take(length, field);
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ControlProtocolException($"{field} is not valid UTF-8.");
        }
    }

    /// <summary>Reads an enum value stored in one byte, checking that it names a member.</summary>
    public TEnum Enum<TEnum>(string field)
        where TEnum : struct, System.Enum
    {
        var raw = Byte(field);
        var value = (TEnum)System.Enum.ToObject(typeof(TEnum), raw);
        if (!System.Enum.IsDefined(value))
        {
            throw new ControlProtocolException($"{field} is {raw}, not a known {typeof(TEnum).Name}.");
        }
        return value;
    }

    /// <summary>Reads an IP address and a port.</summary>
    public IPEndPoint EndPoint(string field)
    {
        var length = Byte(field);
        if (length is not (4 or 16))
        {
            throw new ControlProtocolException($"{field} has an address of {length} bytes, not 4 or 16.");
        }
        var address = new IPAddress(Take(length, field));
        return new IPEndPoint(address, UInt16(field));
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
