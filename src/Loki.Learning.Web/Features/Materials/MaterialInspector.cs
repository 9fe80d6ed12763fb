using System.Buffers.Binary;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Scores;

namespace Loki.Learning.Web.Features.Materials;

public enum MaterialFileKind
{
    Pdf,
    MusicXml,
    Image,
    Audio,
}

/// What an accepted material file turned out to be. <see cref="ContentType"/> is what the file is served as.
public sealed record MaterialInspection(MaterialFileKind Kind, string Extension, string ContentType);

/// Decides whether an uploaded file may be a course material, by its content, not its name alone. PDFs and MusicXML
/// go through the score checks (<see cref="ScoreInspector"/>: the page tree resolves, the XML is a score, no entity
/// is fetched); images and sound must carry their format's signature and hold together where the format says how
/// (chunk sizes, end markers). Anything else, SVG and HTML included, is refused: the files are served from this site.
/// Every answer is an inspection or a <see cref="Refusal"/> on the file field; nothing here touches the disk.
public static class MaterialInspector
{
    /// The same limit as for scores, in bytes.
    public const long MaxUploadBytes = ScoreInspector.MaxUploadBytes;

    public const string Field = ScoreInspector.Field;

    private static readonly Dictionary<string, (MaterialFileKind Kind, string ContentType, Func<byte[], bool> Holds)> Media = new()
    {
        [".png"] = (MaterialFileKind.Image, "image/png", IsPng),
        [".jpg"] = (MaterialFileKind.Image, "image/jpeg", IsJpeg),
        [".jpeg"] = (MaterialFileKind.Image, "image/jpeg", IsJpeg),
        [".gif"] = (MaterialFileKind.Image, "image/gif", IsGif),
        [".webp"] = (MaterialFileKind.Image, "image/webp", c => IsRiff(c, "WEBP"u8, "VP8"u8)),
        [".wav"] = (MaterialFileKind.Audio, "audio/wav", c => IsRiff(c, "WAVE"u8, "fmt "u8)),
        [".mp3"] = (MaterialFileKind.Audio, "audio/mpeg", IsMp3),
        [".ogg"] = (MaterialFileKind.Audio, "audio/ogg", IsOgg),
        [".oga"] = (MaterialFileKind.Audio, "audio/ogg", IsOgg),
        [".opus"] = (MaterialFileKind.Audio, "audio/ogg", IsOgg),
        [".flac"] = (MaterialFileKind.Audio, "audio/flac", IsFlac),
        [".m4a"] = (MaterialFileKind.Audio, "audio/mp4", IsM4a),
    };

    public static readonly IReadOnlyList<string> Extensions = [.. ScoreInspector.Extensions, .. Media.Keys];

    /// For the file picker: every extension, comma-separated.
    public static string Accept => string.Join(',', Extensions);

    public static MaterialInspection Inspect(string fileName, byte[] content)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (ScoreInspector.Extensions.Contains(extension))
        {
            var score = ScoreInspector.Inspect(fileName, content);
            return score.Kind == ScoreKind.Pdf
                ? new MaterialInspection(MaterialFileKind.Pdf, ".pdf", "application/pdf")
                : new MaterialInspection(MaterialFileKind.MusicXml, score.Extension, ScoreStorage.ContentTypeOf(score.Extension));
        }
        if (!Media.TryGetValue(extension, out var format))
        {
            throw ScoreInspector.Refuse("Materials.Refusal.UnknownType");
        }
        if (content.Length == 0)
        {
            throw ScoreInspector.Refuse("Scores.Refusal.Empty");
        }
        if (content.Length > MaxUploadBytes)
        {
            throw ScoreInspector.Refuse("Scores.Refusal.TooLarge");
        }
        return format.Holds(content)
            ? new MaterialInspection(format.Kind, extension, format.ContentType)
            : throw ScoreInspector.Refuse(format.Kind == MaterialFileKind.Image ? "Materials.Refusal.NotImage" : "Materials.Refusal.NotAudio");
    }

    /// Signature, an IHDR chunk of 13 bytes with a size that is not 0×0, and the IEND chunk at the end.
    private static bool IsPng(byte[] c) =>
        c.Length >= 8 + 25 + 12
        && c.AsSpan(0, 8).SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        && BinaryPrimitives.ReadUInt32BigEndian(c.AsSpan(8)) == 13 && c.AsSpan(12, 4).SequenceEqual("IHDR"u8)
        && BinaryPrimitives.ReadUInt32BigEndian(c.AsSpan(16)) > 0 && BinaryPrimitives.ReadUInt32BigEndian(c.AsSpan(20)) > 0
        && c.AsSpan(c.Length - 12, 8).SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44]);

    /// Start of image, then a marker; an end of image marker in the last bytes (cameras may pad after it).
    private static bool IsJpeg(byte[] c) =>
        c.Length >= 4 && c[0] == 0xFF && c[1] == 0xD8 && c[2] == 0xFF
        && c.AsSpan(Math.Max(2, c.Length - 1024)).IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;

    private static bool IsGif(byte[] c) =>
        c.Length >= 14 && (c.AsSpan(0, 6).SequenceEqual("GIF87a"u8) || c.AsSpan(0, 6).SequenceEqual("GIF89a"u8)) && c[^1] == 0x3B;

    /// A RIFF file of the given form whose declared size fits the upload, and whose chunks, walked from the start,
    /// stay inside it and include one whose id starts with <paramref name="required"/>.
    private static bool IsRiff(byte[] c, ReadOnlySpan<byte> form, ReadOnlySpan<byte> required)
    {
        if (c.Length < 20 || !c.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !c.AsSpan(8, 4).SequenceEqual(form))
        {
            return false;
        }
        var declared = (long)BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(4)) + 8;
        if (declared > c.Length || declared < 20)
        {
            return false;
        }
        var found = false;
        long at = 12;
        // Bounded: every step moves at least 8 bytes on through a file of at most MaxUploadBytes.
        while (at + 8 <= declared)
        {
            var size = (long)BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan((int)at + 4));
            if (at + 8 + size > declared)
            {
                return false;
            }
            found |= c.AsSpan((int)at, required.Length).SequenceEqual(required);
            at += 8 + size + (size & 1);
        }
        return found;
    }

    /// An ID3v2 tag (its size in 7-bit bytes) followed by an MPEG audio frame header, or a frame header at once.
    private static bool IsMp3(byte[] c)
    {
        var at = 0L;
        if (c.Length >= 10 && c.AsSpan(0, 3).SequenceEqual("ID3"u8))
        {
            if ((c[6] | c[7] | c[8] | c[9]) >= 0x80)
            {
                return false;
            }
            at = 10 + ((c[6] << 21) | (c[7] << 14) | (c[8] << 7) | c[9]) + ((c[5] & 0x10) != 0 ? 10 : 0);
        }
        // Frame sync (11 bits), an MPEG version other than "reserved" (01), a layer other than "reserved" (00), a bitrate index other than 1111.
        return at + 4 <= c.Length && c[at] == 0xFF && (c[at + 1] & 0xE0) == 0xE0 && (c[at + 1] & 0x18) != 0x08 && (c[at + 1] & 0x06) != 0
            && (c[at + 2] & 0xF0) != 0xF0;
    }

    /// An Ogg page header (version 0) at the start.
    private static bool IsOgg(byte[] c) => c.Length >= 28 && c.AsSpan(0, 4).SequenceEqual("OggS"u8) && c[4] == 0;

    /// "fLaC" and a STREAMINFO block of 34 bytes first.
    private static bool IsFlac(byte[] c) =>
        c.Length >= 42 && c.AsSpan(0, 4).SequenceEqual("fLaC"u8) && (c[4] & 0x7F) == 0 && c[5] == 0 && c[6] == 0 && c[7] == 34;

    /// An ISO media file whose first box is "ftyp" with an audio or generic MP4 brand.
    private static bool IsM4a(byte[] c)
    {
        if (c.Length < 16 || !c.AsSpan(4, 4).SequenceEqual("ftyp"u8))
        {
            return false;
        }
        var size = BinaryPrimitives.ReadUInt32BigEndian(c);
        var brand = c.AsSpan(8, 4);
        return size >= 16 && size <= c.Length
            && (brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) || brand.SequenceEqual("mp42"u8) || brand.SequenceEqual("isom"u8) || brand.SequenceEqual("mp41"u8));
    }
}
