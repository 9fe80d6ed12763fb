using SkiaSharp;

namespace Loki.Learning.Web.Features.Workshops;

/// <param name="Content">The picture as it is stored and served (WebP).</param>
public sealed record CheckedImage(byte[] Content, int Width, int Height);

/// Checks an uploaded picture by its content (the name and the browser's content type say nothing) and makes the copy
/// the site serves: at most <see cref="MaxWidth"/> pixels wide, turned upright, re-encoded, so nothing of the upload
/// but its pixels reaches a visitor. The size in the header is read before a pixel is decoded, so an "image bomb"
/// (a few kilobytes that claim 50,000 × 50,000 pixels) is refused without the memory it asks for.
public static class EventImages
{
    /// Bytes of an upload; the page and the API refuse more before reading it.
    public const long MaxBytes = 8 * 1024 * 1024;

    /// Either side at most, and <see cref="MaxPixels"/> in all (a 24-megapixel camera's picture passes).
    public const int MaxSide = 8000;

    public const long MaxPixels = 40_000_000;

    /// Wide enough for the event page on a large screen and for link previews; larger uploads are scaled down.
    public const int MaxWidth = 1200;

    /// Smaller than this is not a picture anyone can see on the page.
    public const int MinSide = 16;

    public const string ContentType = "image/webp";

    public const string Extension = ".webp";

    private const int Quality = 82;

    /// The stored picture, or a <see cref="Refusal"/> with a key under <c>Events.Image.</c> for the field "Image".
    public static CheckedImage Check(ReadOnlySpan<byte> upload)
    {
        if (upload.Length == 0)
        {
            throw Refusal.Invalid("Events.Image.Empty", "Image");
        }
        if (upload.Length > MaxBytes)
        {
            throw Refusal.Invalid("Events.Image.TooLarge", "Image");
        }
        using var data = SKData.CreateCopy(upload);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp or SKEncodedImageFormat.Gif))
        {
            throw Refusal.Invalid("Events.Image.NotAnImage", "Image");
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width > MaxSide || height > MaxSide || (long)width * height > MaxPixels)
        {
            throw Refusal.Invalid("Events.Image.TooManyPixels", "Image");
        }
        if (width < MinSide || height < MinSide)
        {
            throw Refusal.Invalid("Events.Image.TooSmall", "Image");
        }

        // A JPEG decodes straight to a smaller size (in eighths): less memory for a camera's picture.
        var sideways = codec.EncodedOrigin is SKEncodedOrigin.RightTop or SKEncodedOrigin.LeftBottom or SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightBottom;
        var scaled = DecodeSize(codec, sideways, Math.Min(MaxWidth, sideways ? height : width));
        var info = new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        // Anything but a whole picture (a cut-off file gives IncompleteInput and a half-grey image) is refused.
        if (codec.GetPixels(info, decoded.GetPixels()) != SKCodecResult.Success)
        {
            throw Refusal.Invalid("Events.Image.Damaged", "Image");
        }
        using var turned = Upright(decoded, codec.EncodedOrigin);
        var targetWidth = Math.Min(MaxWidth, turned.Width);
        var targetHeight = Math.Max(1, (int)Math.Round(turned.Height * (targetWidth / (double)turned.Width)));
        using var sized = targetWidth == turned.Width
            ? turned.Copy()
            : turned.Resize(new SKImageInfo(targetWidth, targetHeight, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var image = SKImage.FromBitmap(sized);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, Quality)
            ?? throw Refusal.Invalid("Events.Image.NotAnImage", "Image");
        return new CheckedImage(encoded.ToArray(), sized.Width, sized.Height);
    }

    /// The smallest size the codec decodes to directly (JPEG: eighths) whose upright width is still at least
    /// <paramref name="wanted"/>, so the resize after it only ever shrinks.
    private static SKSizeI DecodeSize(SKCodec codec, bool sideways, int wanted)
    {
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var size = codec.GetScaledDimensions(eighths / 8f);
            if ((sideways ? size.Height : size.Width) >= wanted)
            {
                return size;
            }
        }
        return codec.Info.Size;
    }

    /// The picture as a camera held upright saw it (phones store it sideways and say so in the EXIF orientation).
    private static SKBitmap Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        var (width, height, degrees, mirror) = origin switch
        {
            SKEncodedOrigin.TopRight => (bitmap.Width, bitmap.Height, 0, true),
            SKEncodedOrigin.BottomRight => (bitmap.Width, bitmap.Height, 180, false),
            SKEncodedOrigin.BottomLeft => (bitmap.Width, bitmap.Height, 180, true),
            SKEncodedOrigin.LeftTop => (bitmap.Height, bitmap.Width, 90, true),
            SKEncodedOrigin.RightTop => (bitmap.Height, bitmap.Width, 90, false),
            SKEncodedOrigin.RightBottom => (bitmap.Height, bitmap.Width, 270, true),
            SKEncodedOrigin.LeftBottom => (bitmap.Height, bitmap.Width, 270, false),
            _ => (bitmap.Width, bitmap.Height, 0, false),
        };
        var result = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(result);
        canvas.Translate(width / 2f, height / 2f);
        canvas.RotateDegrees(degrees);
        if (mirror)
        {
            canvas.Scale(-1, 1);
        }
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, -bitmap.Width / 2f, -bitmap.Height / 2f, SKSamplingOptions.Default, null);
        return result;
    }
}
