using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.Scores;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Scores;

public sealed class MusicXmlInspectionTests
{
    private static IReadOnlyList<ScoreMeasure> Bars(string xml, string fileName = "piece.musicxml") => ScoreInspector.Inspect(fileName, Utf8(xml)).Measures;

    [Fact]
    public void ABarWithoutATimeSignatureIsInFourFour()
    {
        var bars = Bars(Partwise(Note, Note));

        Assert.Equal([new ScoreMeasure(1, 4, 4, null, 1, 4), new ScoreMeasure(2, 4, 4, null, 2, 4)], bars);
    }

    [Fact]
    public void ATimeSignatureCarriesOverUntilTheMetreChanges()
    {
        var bars = Bars(Partwise(Time("3", "4") + Note, Note, Note, Time("6", "8") + Note, Note, Time("2", "2") + Note));

        Assert.Equal([(3, 4), (3, 4), (3, 4), (6, 8), (6, 8), (2, 2)], bars.Select(b => (b.Beats, b.BeatType)));
        Assert.Equal([1, 2, 3, 4, 5, 6], bars.Select(b => b.Bar));
    }

    [Fact]
    public void CompoundBeatsAreSummedInTheShortestBeatType()
    {
        var bars = Bars(Partwise(
            Time("3+2", "8") + Note,
            "<attributes><time><beats>3</beats><beat-type>8</beat-type><beats>2</beats><beat-type>4</beat-type></time></attributes>" + Note));

        Assert.Equal((5, 8), (bars[0].Beats, bars[0].BeatType));
        Assert.Equal((7, 8), (bars[1].Beats, bars[1].BeatType));
    }

    [Fact]
    public void APickupIsBarZeroAndAsLongAsItsNotes()
    {
        var bars = Bars(Partwise("<measure number=\"0\" implicit=\"yes\">" + Time("2", "4") + Note + "</measure>", Note + Note, Note + Note));

        Assert.Equal(3, bars.Count);
        Assert.Equal(new ScoreMeasure(1, 2, 4, null, 0, 1), bars[0]);
        Assert.Equal(new ScoreMeasure(3, 2, 4, null, 2, 2), bars[2]);
    }

    [Fact]
    public void TheRestOfABarSplitAroundARepeatSignKeepsItsNumber()
    {
        var bars = Bars(Partwise(Time("3", "4") + Note + Note + Note, Note, "<measure number=\"X1\" implicit=\"yes\">" + Note + Note + "</measure>", Note + Note + Note));

        Assert.Equal([(1, 3.0), (2, 1), (2, 2), (3, 3)], bars.Select(b => (b.Number!.Value, b.Length!.Value)));
    }

    [Fact]
    public void ChordNotesGraceNotesAndASecondStaffAfterABackupDoNotLengthenABar()
    {
        const string chordNote = "<note><chord/><pitch><step>E</step><octave>4</octave></pitch><duration>4</duration></note>";
        const string grace = "<note><grace/><pitch><step>D</step><octave>4</octave></pitch></note>";
        const string backup = "<backup><duration>8</duration></backup>";
        var bars = Bars(Partwise(Time("3", "4") + Note + Note + Note, grace + Note + chordNote + Note + backup + Note));

        Assert.Equal(2, bars[1].Length);
        Assert.True(bars[1].IsShort);
    }

    [Fact]
    public void RehearsalMarksAreReadFromTheBarsThatPrintThem()
    {
        var bars = Bars(Partwise(Rehearsal("A") + Note, Note, Rehearsal(" B ") + Note, Note));

        Assert.Equal(["A", null, "B", null], bars.Select(b => b.Mark));
    }

    [Fact]
    public void OnlyTheFirstPartsMetreCounts()
    {
        // The second part (ScoreFiles.Partwise) says 4/4 in every bar.
        var bars = Bars(Partwise(Time("3", "4") + Note, Note));

        Assert.All(bars, b => Assert.Equal(3, b.Beats));
    }

    [Fact]
    public void TheTitleIsTakenFromTheWork()
    {
        var inspection = ScoreInspector.Inspect("x.xml", Utf8(Partwise(Note)));

        Assert.Equal("Test piece", inspection.Title);
        Assert.Equal(ScoreKind.MusicXml, inspection.Kind);
    }

    [Fact]
    public void ACompressedScoreIsReadFromTheRootFileItsContainerNames()
    {
        var inspection = ScoreInspector.Inspect("piece.mxl", Compressed(Partwise(Time("3", "4") + Rehearsal("A") + Note + Note + Note, Note + Note + Note)));

        Assert.Equal([new ScoreMeasure(1, 3, 4, "A", 1, 3), new ScoreMeasure(2, 3, 4, null, 2, 3)], inspection.Measures);
        Assert.Equal(".mxl", inspection.Extension);
    }

    [Fact]
    public void TheSeededPolskaHasSixteenBarsInThreeFourWithMarksAAndB()
    {
        var bars = Bars(Seeded("polska-from-mittnorden.musicxml"));

        Assert.Equal(16, bars.Count);
        Assert.All(bars, b => Assert.Equal((3, 4), (b.Beats, b.BeatType)));
        Assert.Equal("A", bars[0].Mark);
        Assert.Equal("B", bars[8].Mark);
    }

    [Fact]
    public void TheSeededMarchStartsWithAPickupAndChangesMetreTwice()
    {
        var bars = Bars(Seeded("march-in-two-and-three.musicxml"));

        Assert.Equal(17, bars.Count);
        Assert.Equal((2, 4), (bars[0].Beats, bars[0].BeatType));
        Assert.Equal((0, 1.0), (bars[0].Number, bars[0].Length));
        Assert.Equal(16, ScoreBars.CountOf(bars));
        Assert.Equal([(1, "A"), (9, "B")], bars.Where(b => b.Mark is not null).Select(b => (b.CountedNumber, b.Mark!)));
        Assert.Equal((3, 4), (bars[9].Beats, bars[9].BeatType));
        Assert.Equal((2, 4), (bars[13].Beats, bars[13].BeatType));
        Assert.Equal(["A", "B"], bars.Where(b => b.Mark is not null).Select(b => b.Mark));
    }

    [Fact]
    public void TheSeededWaltzEndsInSixEight()
    {
        var bars = Bars(Seeded("waltz-with-a-coda.musicxml"));

        Assert.Equal(20, bars.Count);
        Assert.Equal((3, 4), (bars[11].Beats, bars[11].BeatType));
        Assert.Equal(new ScoreMeasure(13, 6, 8, "Coda", 13, 6), bars[12]);
    }

    [Fact]
    public void APdfIsReadForItsPageCount()
    {
        var inspection = ScoreInspector.Inspect("parts.PDF", Pdf(pages: 3));

        Assert.Equal(ScoreKind.Pdf, inspection.Kind);
        Assert.Equal(3, inspection.PageCount);
        Assert.Empty(inspection.Measures);
    }
}
