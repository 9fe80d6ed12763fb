using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Materials;
using static Loki.Learning.Web.Tests.Materials.MaterialFiles;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Materials;

public sealed class MaterialInspectionTests
{
    public static TheoryData<string, byte[], MaterialFileKind, string> Accepted() => new()
    {
        { "Chafe et al.pdf", Pdf(2), MaterialFileKind.Pdf, "application/pdf" },
        { "duet.musicxml", Utf8(Partwise(Note, Note)), MaterialFileKind.MusicXml, "application/vnd.recordare.musicxml+xml" },
        { "seating.png", Png(), MaterialFileKind.Image, "image/png" },
        { "stage.JPG", Jpeg(), MaterialFileKind.Image, "image/jpeg" },
        { "dot.gif", Gif(), MaterialFileKind.Image, "image/gif" },
        { "a440.wav", Wav(), MaterialFileKind.Audio, "audio/wav" },
        { "take.mp3", Mp3(), MaterialFileKind.Audio, "audio/mpeg" },
        { "take.ogg", Ogg(), MaterialFileKind.Audio, "audio/ogg" },
        { "take.flac", Flac(), MaterialFileKind.Audio, "audio/flac" },
    };

    [Theory]
    [MemberData(nameof(Accepted), DisableDiscoveryEnumeration = true)]
    public void AFileOfAnAllowedKindIsServedAsWhatItsContentIs(string name, byte[] content, MaterialFileKind kind, string contentType)
    {
        var inspection = MaterialInspector.Inspect(name, content);

        Assert.Equal(kind, inspection.Kind);
        Assert.Equal(contentType, inspection.ContentType);
    }

    public static TheoryData<string, byte[], string> Refused() => new()
    {
        // Kinds that could run as a page of this site, or that are not course material.
        { "evil.svg", Utf8("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), "Materials.Refusal.UnknownType" },
        { "page.html", Utf8("<script>alert(1)</script>"), "Materials.Refusal.UnknownType" },
        { "photo.png.html", Png(), "Materials.Refusal.UnknownType" },
        { "setup.exe", [0x4D, 0x5A, 0x90, 0x00], "Materials.Refusal.UnknownType" },
        { "README", Utf8("plain words"), "Materials.Refusal.UnknownType" },
        // The right name on the wrong content.
        { "photo.png", Utf8("<html><script>alert(1)</script></html>"), "Materials.Refusal.NotImage" },
        { "photo.jpg", Png(), "Materials.Refusal.NotImage" },
        { "cut.png", Png()[..^12], "Materials.Refusal.NotImage" },
        { "song.mp3", Utf8("<script>alert(1)</script>"), "Materials.Refusal.NotAudio" },
        { "long.wav", [.. Wav()[..40], 0xFF, 0xFF, 0xFF, 0x7F, .. Wav()[44..]], "Materials.Refusal.NotAudio" },
        { "riff.wav", [.. "RIFF"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. "WAVE"u8, .. new byte[32]], "Materials.Refusal.NotAudio" },
        // PDF and MusicXML go through the score checks, with their reasons.
        { "reading.pdf", Utf8("%PDF-1.7 and nothing else"), "Scores.Refusal.NotPdf" },
        { "reading.pdf", Png(), "Scores.Refusal.ContentMismatch" },
        { "empty.png", [], "Scores.Refusal.Empty" },
    };

    [Theory]
    [MemberData(nameof(Refused), DisableDiscoveryEnumeration = true)]
    public void AnythingElseIsRefusedOnTheFileFieldWithAReason(string name, byte[] content, string reason)
    {
        var refusal = Assert.Throws<Refusal>(() => MaterialInspector.Inspect(name, content));

        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Equal(reason, refusal.ReasonKey);
        Assert.Equal("File", refusal.Field);
    }

    [Fact]
    public void AFileOverTenMegabytesIsRefusedBeforeItIsRead()
    {
        var refusal = Assert.Throws<Refusal>(() => MaterialInspector.Inspect("long take.wav", new byte[MaterialInspector.MaxUploadBytes + 1]));

        Assert.Equal("Scores.Refusal.TooLarge", refusal.ReasonKey);
    }

    [Theory]
    [InlineData("https://www.example.org/reading?week=2#top", "https://www.example.org/reading?week=2#top")]
    [InlineData("  http://musik.example/a b  ", "http://musik.example/a%20b")]
    [InlineData("HTTPS://Example.ORG", "https://example.org/")]
    public void AWebAddressIsALink(string given, string stored) => Assert.Equal(stored, MaterialLinks.Check(given));

    [Theory]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("  JavaScript:alert(1)")]
    [InlineData("java\tscript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("//evil.example/path")]
    [InlineData("www.example.org")]
    [InlineData("mailto:someone@example.org")]
    [InlineData("https://")]
    public void AnythingButAWebAddressIsRefusedAsALink(string given)
    {
        var refusal = Assert.Throws<Refusal>(() => MaterialLinks.Check(given));

        Assert.Equal("Materials.Refusal.Link", refusal.ReasonKey);
        Assert.Equal("Url", refusal.Field);
        Assert.Null(MaterialLinks.Href(given));
    }
}
