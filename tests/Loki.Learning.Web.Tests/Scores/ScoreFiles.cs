using System.IO.Compression;
using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Loki.Learning.Web.Tests.Scores;

/// Small score files made in the test: MusicXML bars from a compact description, .mxl archives and PDFs.
internal static class ScoreFiles
{
    public const string Doctype = "<!DOCTYPE score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\" \"http://www.musicxml.org/dtds/partwise.dtd\">";

    /// A partwise score whose first part has the given measures' inner XML; a second part repeats them in 4/4
    /// so only the first part's metre can be the one read.
    public static string Partwise(params string[] measures)
    {
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").Append(Doctype)
            .Append("<score-partwise version=\"4.0\"><work><work-title>Test piece</work-title></work>")
            .Append("<part-list><score-part id=\"P1\"><part-name>Violin</part-name></score-part><score-part id=\"P2\"><part-name>Cello</part-name></score-part></part-list>")
            .Append("<part id=\"P1\">");
        for (var i = 0; i < measures.Length; i++)
        {
            xml.Append(measures[i].StartsWith("<measure", StringComparison.Ordinal) ? measures[i] : $"<measure number=\"{i + 1}\">{measures[i]}</measure>");
        }
        xml.Append("</part><part id=\"P2\">");
        for (var i = 0; i < measures.Length; i++)
        {
            xml.Append($"<measure number=\"{i + 1}\"><attributes><time><beats>4</beats><beat-type>4</beat-type></time></attributes>{Note}</measure>");
        }
        return xml.Append("</part></score-partwise>").ToString();
    }

    public const string Note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration><type>quarter</type></note>";

    public static string Time(string beats, string beatType) => $"<attributes><divisions>4</divisions><time><beats>{beats}</beats><beat-type>{beatType}</beat-type></time></attributes>";

    public static string Rehearsal(string mark) => $"<direction><direction-type><rehearsal>{mark}</rehearsal></direction-type></direction>";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// A valid .mxl: the container names the score inside a folder.
    public static byte[] Compressed(string musicXml, string rootPath = "score/piece.musicxml", string? container = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "mimetype", "application/vnd.recordare.musicxml");
            Add(zip, "META-INF/container.xml", container ?? $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><container><rootfiles><rootfile full-path=\"{rootPath}\" media-type=\"application/vnd.recordare.musicxml+xml\"/></rootfiles></container>");
            Add(zip, rootPath, musicXml);
        }
        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Utf8(text));
    }

    /// A real PDF of the given number of pages, written by PdfPig's builder.
    public static byte[] Pdf(int pages = 2)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var i = 1; i <= pages; i++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText($"Page {i}", 12, new PdfPoint(50, 750), font);
        }
        return builder.Build();
    }

    public static string Seeded(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seed-data", "scores", file));
}
