using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Loki.Learning.Web.Tests.Materials;

/// Small real files of every kind a course material may be, made in the test.
internal static class MaterialFiles
{
    /// A real PNG (any viewer shows it): <paramref name="size"/>×<paramref name="size"/> pixels of one grey.
    public static byte[] Png(int size = 4)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)size);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)size);
        header[8] = 8;   // bits per sample; colour type 0 = greyscale
        Chunk(png, "IHDR", header);
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var row = 0; row < size; row++)
            {
                zlib.WriteByte(0);   // filter: none
                zlib.Write(Enumerable.Repeat((byte)0x80, size).ToArray());
            }
        }
        Chunk(png, "IDAT", pixels.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }

    /// The classic 1×1 GIF.
    public static byte[] Gif() =>
    [
        .. "GIF89a"u8, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];

    /// A JPEG's outline: start of image, an APP0 (JFIF) segment, end of image.
    public static byte[] Jpeg() =>
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    /// A real 48 kHz 16-bit mono WAV of <paramref name="samples"/> samples of a 440 Hz tone.
    public static byte[] Wav(int samples = 480)
    {
        using var wav = new MemoryStream();
        using var writer = new BinaryWriter(wav);
        writer.Write("RIFF"u8);
        writer.Write(36 + samples * 2);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(48000);
        writer.Write(96000);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            writer.Write((short)(Math.Sin(2 * Math.PI * 440 * i / 48000) * 8000));
        }
        writer.Flush();
        return wav.ToArray();
    }

    /// An ID3v2 tag, then one MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz) and silence.
    public static byte[] Mp3() => [.. "ID3"u8, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFB, 0x90, 0x64, .. new byte[413]];

    public static byte[] Ogg() => [.. "OggS"u8, 0x00, 0x02, .. new byte[22], .. "\u0001vorbis"u8];

    public static byte[] Flac() => [.. "fLaC"u8, 0x80, 0x00, 0x00, 0x22, .. new byte[34]];
}
