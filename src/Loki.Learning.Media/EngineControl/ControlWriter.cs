using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// Builds one control frame at a time in a buffer it keeps (no allocation per frame once the buffer has grown to the
/// largest frame). Not thread-safe: one writer per sending side, used under that side's send lock.
/// </summary>
public sealed class ControlWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    /// <summary>The frame built since <see cref="Begin"/>, length prefix included (valid after <see cref="End"/>).</summary>
    public ReadOnlyMemory<byte> Frame => _buffer.WrittenMemory;

    /// <summary>Starts a frame of <paramref name="message"/>: reserves the length prefix and writes the type byte.</summary>
    public void Begin(ControlMessage message)
    {
        _buffer.ResetWrittenCount();
        _buffer.GetSpan(ControlChannel.HeaderLength)[..ControlChannel.HeaderLength].Clear();
        _buffer.Advance(ControlChannel.HeaderLength);
        Byte((byte)message);
    }

    /// <summary>Fills in the length prefix.</summary>
    /// <exception cref="ControlProtocolException">The body is longer than <see cref="ControlChannel.MaxBodyLength"/>.</exception>
    public ReadOnlyMemory<byte> End()
    {
        var body = _buffer.WrittenCount - ControlChannel.HeaderLength;
        if (body > ControlChannel.MaxBodyLength)
        {
            throw new ControlProtocolException($"A control frame of {body} bytes is longer than the {ControlChannel.MaxBodyLength} allowed.");
        }
        // ArrayBufferWriter exposes its written bytes read-only; the prefix is patched through the backing memory.
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory);
        BinaryPrimitives.WriteInt32LittleEndian(written.Span, body);
        return _buffer.WrittenMemory;
    }

    /// <summary>Writes one byte.</summary>
    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Writes 0 or 1.</summary>
    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a little-endian unsigned 16-bit integer.</summary>
    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    /// <summary>Writes a little-endian 32-bit integer.</summary>
    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a little-endian unsigned 32-bit integer.</summary>
    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a little-endian 64-bit integer.</summary>
    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes an IEEE 754 single, little-endian.</summary>
    public void Single(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes an IEEE 754 double, little-endian.</summary>
    public void Double(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a presence byte and, when present, the value.</summary>
    public void OptionalInt32(int? value)
    {
        Bool(value.HasValue);
        if (value is { } v)
        {
            Int32(v);
        }
    }

    /// <summary>Writes a presence byte and, when present, the value.</summary>
    public void OptionalDouble(double? value)
    {
        Bool(value.HasValue);
        if (value is { } v)
        {
            Double(v);
        }
    }

    /// <summary>Writes a span of time as its ticks (100 ns).</summary>
    public void Duration(TimeSpan value) => Int64(value.Ticks);

    /// <summary>Writes a presence byte and, when present, the ticks.</summary>
    public void OptionalDuration(TimeSpan? value)
    {
        Bool(value.HasValue);
        if (value is { } v)
        {
            Duration(v);
        }
    }

    /// <summary>Writes a moment as its UTC ticks.</summary>
    public void Moment(DateTimeOffset value) => Int64(value.UtcTicks);

    /// <summary>Writes a UTF-8 string with a 16-bit length (at most <see cref="ControlChannel.MaxStringBytes"/>; longer text is cut).</summary>
    public void String(string? value)
    {
        value ??= "";
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > ControlChannel.MaxStringBytes)
        {
            // Only free text (an error's message) can be this long; it is cut on a character boundary.
            value = value[..Math.Min(value.Length, ControlChannel.MaxStringBytes / 4)];
            bytes = Encoding.UTF8.GetByteCount(value);
        }
        UInt16((ushort)bytes);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(bytes));
        _buffer.Advance(bytes);
    }

    /// <summary>Writes an IP address (length byte, then 4 or 16 bytes) and a port.</summary>
    public void EndPoint(IPEndPoint endPoint)
    {
        var span = _buffer.GetSpan(17);
        if (!endPoint.Address.TryWriteBytes(span[1..], out var written))
        {
            throw new ControlProtocolException("An address that does not fit 16 bytes.");
        }
        span[0] = (byte)written;
        _buffer.Advance(1 + written);
        UInt16((ushort)endPoint.Port);
    }
}
