using Loki.Learning.Media.Recording;

namespace Loki.Learning.Media.Tests.Recording;

public sealed class DawExportTests
{
    [Fact]
    public void TheReaperProjectHasTheTracksAtTheirPositionsTheTempoMapAndTheMarkers()
    {
        var project = new ReaperProject(
            [new DawTrack("Elsa (Härnösand)", "elsa.wav", 0, 61.5), new DawTrack("Mix", "mix.wav", 0.25, 61.25)],
            [new DawTempo(0, 120, 4, 4), new DawTempo(32, 90, 3, 4)],
            [new DawMarker(12.5, "A"), new DawMarker(40, "Say \"again\"")]);
        var text = new StringWriter();

        DawExport.WriteReaperProject(text, project);
        var rpp = text.ToString();

        Assert.StartsWith("<REAPER_PROJECT", rpp);
        Assert.Contains("TEMPO 120 4 4", rpp);
        Assert.Contains("PT 0.000000 120 1 262148", rpp);
        Assert.Contains("PT 32.000000 90 1 262147", rpp);
        Assert.Contains("MARKER 1 12.500000 \"A\" 0", rpp);
        Assert.Contains("MARKER 2 40.000000 'Say \"again\"' 0", rpp);
        Assert.Contains("NAME \"Elsa (Härnösand)\"", rpp);
        Assert.Contains("POSITION 0.250000", rpp);
        Assert.Contains("FILE \"mix.wav\"", rpp);
        Assert.Equal(rpp.Count(c => c == '<'), rpp.Count(c => c == '>'));
    }

    [Theory]
    [InlineData("Coda", "\"Coda\"")]
    [InlineData("Say \"again\"", "'Say \"again\"'")]
    [InlineData("Don't \"rush\"", "`Don't \"rush\"`")]
    [InlineData("All \"three\" isn't `one`", "`All \"three\" isn't 'one'`")]
    [InlineData("Two\nlines", "\"Two lines\"")]
    [InlineData("", "\"\"")]
    public void NamesAreQuotedAsReaperQuotesThemKeepingEveryQuoteItCan(string name, string written) =>
        Assert.Equal(written, DawExport.ReaperString(name));

    [Fact]
    public void TheAudacityListHasEachFileWithItsOffset()
    {
        var text = new StringWriter();

        DawExport.WriteAudacityLof(text, [new DawTrack("A", "a.wav", 0, 10), new DawTrack("B", "b.wav", 1.5, 8)]);

        Assert.Equal(["file \"a.wav\" offset 0.000000", "file \"b.wav\" offset 1.500000"], text.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
