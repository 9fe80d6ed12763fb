using Loki.Learning.Web.Features.Music;
using System.IO.Compression;
using System.Text;
using System.Xml;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace Loki.Learning.Web.Features.Scores;

/// What an accepted upload turned out to be.
/// <param name="Title">The work or movement title printed in a MusicXML file, if any.</param>
public sealed record ScoreInspection(ScoreKind Kind, string Extension, IReadOnlyList<ScoreMeasure> Measures, int PageCount, string? Title);

/// Decides whether an uploaded file is a score we can show, and reads its bars or pages. Every answer is either an
/// inspection or a <see cref="Refusal"/> with a reason the uploader can act on; nothing here touches the disk or
/// the network (no DTD, no external entity, no XInclude is ever fetched).
public static class ScoreInspector
{
    public const long MaxUploadBytes = 10 * 1024 * 1024;

    /// A compressed MusicXML file may not unpack to more than this (zip bomb guard), in bytes.
    public const long MaxUnpackedBytes = 40 * 1024 * 1024;

    public const int MaxArchiveEntries = 100;

    public const int MaxMeasures = 10_000;

    public const int MaxPages = 2_000;

    public const string Field = "File";

    public static readonly IReadOnlyList<string> Extensions = [".musicxml", ".xml", ".mxl", ".pdf"];

    public static ScoreInspection Inspect(string fileName, byte[] content)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (!Extensions.Contains(extension))
        {
            throw Refuse("Scores.Refusal.UnknownType");
        }
        if (content.Length == 0)
        {
            throw Refuse("Scores.Refusal.Empty");
        }
        if (content.Length > MaxUploadBytes)
        {
            throw Refuse("Scores.Refusal.TooLarge");
        }
        var isZip = StartsWith(content, "PK\u0003\u0004"u8);
        var isPdf = StartsWith(content, "%PDF-"u8);
        switch (extension)
        {
            case ".pdf":
                return isPdf ? InspectPdf(content) : throw Refuse("Scores.Refusal.ContentMismatch");
            case ".mxl":
                return isZip ? InspectCompressed(content) : throw Refuse("Scores.Refusal.ContentMismatch");
            default:
                if (isZip || isPdf)
                {
                    throw Refuse("Scores.Refusal.ContentMismatch");
                }
                using (var stream = new MemoryStream(content, writable: false))
                {
                    return MusicXml(stream, extension);
                }
        }
    }

    /// A refusal of the uploaded file, reported on the file field.
    public static Refusal Refuse(string reasonKey) => Refusal.Invalid(reasonKey, Field);

    private static bool StartsWith(byte[] content, ReadOnlySpan<byte> magic) => content.AsSpan().StartsWith(magic);

    private static ScoreInspection MusicXml(Stream stream, string extension)
    {
        var (measures, title) = MusicXmlReader.Read(stream);
        return new ScoreInspection(ScoreKind.MusicXml, extension, measures, 0, title);
    }

    /// An .mxl is a zip whose META-INF/container.xml names the score inside it.
    private static ScoreInspection InspectCompressed(byte[] content)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxArchiveEntries || archive.Entries.Sum(e => e.Length) > MaxUnpackedBytes)
            {
                throw Refuse("Scores.Refusal.BadArchive");
            }
            var container = archive.GetEntry("META-INF/container.xml") ?? throw Refuse("Scores.Refusal.BadArchive");
            var rootPath = MusicXmlReader.RootFilePath(Unpack(container)) ?? throw Refuse("Scores.Refusal.BadArchive");
            var root = archive.GetEntry(rootPath) ?? throw Refuse("Scores.Refusal.BadArchive");
            return MusicXml(Unpack(root), ".mxl");
        }
        catch (Exception exception) when (exception is InvalidDataException or NotSupportedException or IOException or ArgumentException)
        {
            throw Refuse("Scores.Refusal.BadArchive");
        }
    }

    /// Reads one entry into memory, stopping at the limit whatever size the archive claims for it.
    private static MemoryStream Unpack(ZipArchiveEntry entry)
    {
        using var source = entry.Open();
        var target = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            target.Write(buffer, 0, read);
            if (target.Length > MaxUnpackedBytes)
            {
                throw Refuse("Scores.Refusal.BadArchive");
            }
        }
        target.Position = 0;
        return target;
    }

    private static ScoreInspection InspectPdf(byte[] content)
    {
        // A PDF ends with %%EOF (perhaps followed by a line break or padding); a cut-off upload does not.
        var tail = content.AsSpan(Math.Max(0, content.Length - 1024));
        if (tail.IndexOf("%%EOF"u8) < 0)
        {
            throw Refuse("Scores.Refusal.NotPdf");
        }
        try
        {
            using var document = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = false, SkipMissingFonts = true });
            if (document.IsEncrypted)
            {
                throw Refuse("Scores.Refusal.EncryptedPdf");
            }
            var pages = document.NumberOfPages;
            if (pages < 1 || pages > MaxPages)
            {
                throw Refuse("Scores.Refusal.NotPdf");
            }
            // The page tree must resolve, or no viewer will show the first page either.
            _ = document.GetPage(1).Size;
            return new ScoreInspection(ScoreKind.Pdf, ".pdf", [], pages, null);
        }
        catch (PdfDocumentEncryptedException)
        {
            throw Refuse("Scores.Refusal.EncryptedPdf");
        }
        catch (Exception exception) when (exception is not Refusal and not OutOfMemoryException)
        {
            // PdfPig reports damage with many exception types; each means the same to the uploader.
            throw Refuse("Scores.Refusal.NotPdf");
        }
    }
}
