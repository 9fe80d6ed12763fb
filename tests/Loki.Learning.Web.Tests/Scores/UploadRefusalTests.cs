using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Scores;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Scores;

public sealed class UploadRefusalTests
{
    private static string ReasonFor(string fileName, byte[] content)
    {
        var refusal = Assert.Throws<Refusal>(() => ScoreInspector.Inspect(fileName, content));
        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Equal(ScoreInspector.Field, refusal.Field);
        return refusal.ReasonKey;
    }

    [Fact]
    public void AnEmptyFileIsRefused() => Assert.Equal("Scores.Refusal.Empty", ReasonFor("piece.musicxml", []));

    [Fact]
    public void AFileLargerThanTheLimitIsRefused() =>
        Assert.Equal("Scores.Refusal.TooLarge", ReasonFor("piece.pdf", new byte[ScoreInspector.MaxUploadBytes + 1]));

    [Theory]
    [InlineData("piece.docx")]
    [InlineData("piece")]
    [InlineData("piece.musicxml.exe")]
    public void AFileThatIsNeitherMusicXmlNorPdfIsRefused(string fileName) =>
        Assert.Equal("Scores.Refusal.UnknownType", ReasonFor(fileName, Utf8(Partwise(Note))));

    [Fact]
    public void AnExternalEntityIsNeverFetched()
    {
        // A listener the entity points at: the test fails if anything connects to it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE score-partwise [<!ENTITY secret SYSTEM \"http://127.0.0.1:{port}/secret\"><!ENTITY local SYSTEM \"file:///etc/passwd\">]>"
            + "<score-partwise><part id=\"P1\"><measure number=\"1\"><direction><direction-type><rehearsal>&secret;&local;</rehearsal></direction-type></direction></measure></part></score-partwise>";

        Assert.Equal("Scores.Refusal.NotMusicXml", ReasonFor("piece.musicxml", Utf8(xml)));
        Assert.False(listener.Pending());
    }

    [Fact]
    public void ABillionLaughsIsRefusedWithoutExpandingIt()
    {
        var entities = string.Concat(Enumerable.Range(1, 9).Select(i => $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))}\">"));
        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE score-partwise [<!ENTITY lol0 \"lol\">{entities}]><score-partwise><part id=\"P1\"><measure><direction><direction-type><rehearsal>&lol9;</rehearsal></direction-type></direction></measure></part></score-partwise>";

        var started = DateTime.UtcNow;
        Assert.Equal("Scores.Refusal.NotMusicXml", ReasonFor("piece.xml", Utf8(xml)));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void TruncatedXmlIsRefused()
    {
        var xml = Partwise(Time("3", "4") + Note, Note, Note);

        Assert.Equal("Scores.Refusal.NotMusicXml", ReasonFor("piece.musicxml", Utf8(xml[..(xml.Length - 40)])));
    }

    [Theory]
    [InlineData("<html><body>Not a score</body></html>")]
    [InlineData("<?xml version=\"1.0\"?><opus><title>A collection</title></opus>")]
    [InlineData("just some text")]
    public void XmlThatIsNotAPartwiseScoreIsRefused(string text) =>
        Assert.Equal("Scores.Refusal.NotMusicXml", ReasonFor("piece.xml", Utf8(text)));

    [Fact]
    public void ATimewiseScoreIsRefusedWithItsOwnReason() =>
        Assert.Equal("Scores.Refusal.Timewise", ReasonFor("piece.xml", Utf8("<score-timewise><measure number=\"1\"><part id=\"P1\"/></measure></score-timewise>")));

    [Fact]
    public void AScoreWithoutBarsIsRefused() =>
        Assert.Equal("Scores.Refusal.NoMeasures", ReasonFor("piece.xml", Utf8("<score-partwise><part-list/><part id=\"P1\"/></score-partwise>")));

    [Theory]
    [InlineData("0", "4")]
    [InlineData("3", "5")]
    [InlineData("three", "4")]
    [InlineData("3+", "4")]
    [InlineData("1000", "4")]
    public void AnUnreadableTimeSignatureIsRefused(string beats, string beatType) =>
        Assert.Equal("Scores.Refusal.BadTimeSignature", ReasonFor("piece.musicxml", Utf8(Partwise(Time(beats, beatType) + Note))));

    [Fact]
    public void AZipBombIsRefusedBeforeItIsUnpacked()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var container = zip.CreateEntry("META-INF/container.xml").Open())
            {
                container.Write(Utf8("<container><rootfiles><rootfile full-path=\"bomb.xml\"/></rootfiles></container>"));
            }
            using var bomb = zip.CreateEntry("bomb.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < ScoreInspector.MaxUnpackedBytes / zeros.Length + 8; i++)
            {
                bomb.Write(zeros);
            }
        }
        var bytes = buffer.ToArray();
        Assert.True(bytes.Length < 1024 * 1024, "the bomb should be small packed");

        Assert.Equal("Scores.Refusal.BadArchive", ReasonFor("bomb.mxl", bytes));
    }

    [Fact]
    public void AnArchiveWithTooManyEntriesIsRefused()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i <= ScoreInspector.MaxArchiveEntries; i++)
            {
                zip.CreateEntry($"f{i}.txt");
            }
        }

        Assert.Equal("Scores.Refusal.BadArchive", ReasonFor("many.mxl", buffer.ToArray()));
    }

    [Fact]
    public void AnArchiveWithoutAContainerIsRefused() =>
        Assert.Equal("Scores.Refusal.BadArchive", ReasonFor("piece.mxl", Compressed(Partwise(Note), container: "<container><rootfiles/></container>")));

    [Fact]
    public void AFakePdfIsRefused() =>
        Assert.Equal("Scores.Refusal.NotPdf", ReasonFor("piece.pdf", Utf8("%PDF-1.7\nthis is not a PDF at all\n%%EOF\n")));

    [Fact]
    public void ATruncatedPdfIsRefused()
    {
        var pdf = Pdf();

        Assert.Equal("Scores.Refusal.NotPdf", ReasonFor("piece.pdf", pdf[..(pdf.Length / 2)]));
    }

    [Theory]
    [InlineData("piece.pdf")]
    [InlineData("piece.mxl")]
    public void ContentThatDoesNotMatchTheExtensionIsRefused(string fileName) =>
        Assert.Equal("Scores.Refusal.ContentMismatch", ReasonFor(fileName, Utf8(Partwise(Note))));

    [Fact]
    public void APdfNamedAsMusicXmlIsRefused() => Assert.Equal("Scores.Refusal.ContentMismatch", ReasonFor("piece.musicxml", Pdf()));

    [Fact]
    public void BinaryGarbageIsRefused()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);

        Assert.Equal("Scores.Refusal.NotMusicXml", ReasonFor("piece.xml", garbage));
    }
}
