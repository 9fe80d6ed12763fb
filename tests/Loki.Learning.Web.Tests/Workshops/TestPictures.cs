using SkiaSharp;

namespace Loki.Learning.Web.Tests.Workshops;

/// Pictures for upload tests, made here: a real one, and the broken and hostile ones an upload must refuse.
internal static class TestPictures
{
    /// A PNG of seeded noise (so it does not compress to nothing), <paramref name="width"/> × <paramref name="height"/>.
    public static byte[] Png(int width, int height, int seed = 7)
    {
        if ((long)width * height > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(width), "Noise does not compress: use Gradient for large pictures.");
        }
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = new byte[width * height * 4];
        random.NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    /// A JPEG of a colour gradient, like a photo in size per pixel (a few hundred kilobytes for a large one).
    public static byte[] Gradient(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint())
        {
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                [new SKColor(0x1f, 0x4e, 0x79), new SKColor(0xe0, 0x9f, 0x3e)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return encoded.ToArray();
    }

    /// A few kilobytes whose header claims <paramref name="width"/> × <paramref name="height"/> pixels (an "image
    /// bomb": decoding it would ask for width × height × 4 bytes). A real small PNG with its IHDR rewritten and
    /// its checksum made right again, so only the size is a lie.
    public static byte[] Bomb(int width = 50_000, int height = 50_000)
    {
        var png = Png(32, 32);
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height big-endian, and the CRC after 13 bytes of data.
        WriteBigEndian(png, 16, (uint)width);
        WriteBigEndian(png, 20, (uint)height);
        WriteBigEndian(png, 29, Crc32(png.AsSpan(12, 17)));
        return png;
    }

    public static byte[] TextNamedPng() => "This is a poster, honestly. Not a picture at all.\n"u8.ToArray();

    private static void WriteBigEndian(byte[] target, int offset, uint value)
    {
        target[offset] = (byte)(value >> 24);
        target[offset + 1] = (byte)(value >> 16);
        target[offset + 2] = (byte)(value >> 8);
        target[offset + 3] = (byte)value;
    }

    /// PNG's chunk checksum (CRC-32, polynomial 0xEDB88320).
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
