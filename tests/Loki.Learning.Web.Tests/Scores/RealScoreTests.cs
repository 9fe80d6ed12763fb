using Loki.Learning.Web.Features.Music;
using System.Globalization;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Scores;

namespace Loki.Learning.Web.Tests.Scores;

/// Real exports from notation programs and the MusicXML test suites (tests/Corpus/MusicXml): what the reader finds
/// must be what a musician reads from the printed page, and the beat timeline built from it must put bar 1 after
/// the pickup.
public sealed class RealScoreTests
{
    private static ScoreInspection Read(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Corpus", "MusicXml", file);
        return ScoreInspector.Inspect(Path.GetFileName(path), File.ReadAllBytes(path));
    }

    /// Each written measure as "number:metre", with "=length" where the notes fill less than the metre and
    /// "[mark]" where a rehearsal mark is printed.
    private static string Page(ScoreInspection score) => string.Join(' ', score.Measures.Select(m =>
        $"{m.Number}:{m.Beats}/{m.BeatType}"
        + (m.IsShort ? "=" + m.RealBeats.ToString(CultureInfo.InvariantCulture) : "")
        + (m.Mark is null ? "" : $"[{m.Mark}]")));

    private static string Repeat(int from, int to, string metre) => string.Join(' ', Enumerable.Range(from, to - from + 1).Select(n => $"{n}:{metre}"));

    /// 60 bpm (a second a beat), started at 0 with one bar of count-in.
    private static BeatTimeline Started(ScoreInspection score, int countInBars = 1) =>
        (BeatTimeline.Initial with { Bpm = 60, CountInBars = countInBars }).FollowScore(score.Measures, 0).Start(0);

    [Fact]
    public void AlternateTimeSignaturesInBracketsAreShownNotAdded()
    {
        var score = Read("lilypond/11i-TimeSignatures-Alternate.xml");

        // 3/4 (6/8), 2/2 [4/4], 4/4 = 7/8+1/8, 3/4 – 6/8, 2/2 / 4/4, 3/4 6/8: the first of each pair is counted.
        Assert.Equal("1:3/4 2:2/2 3:4/4 4:3/4 5:2/2 6:3/4", Page(score));
        var beat = Started(score);
        Assert.Equal((3, 4), (beat.PositionOfBeat(0).BeatsPerBar, beat.PositionOfBeat(0).BeatUnit));
        Assert.Equal((2, 1, 2), (beat.PositionOfBeat(3).Bar, beat.PositionOfBeat(3).BeatInBar + 1, beat.PositionOfBeat(3).BeatUnit));
    }

    [Fact]
    public void EveryMetreOfTheTestSuiteIsReadAsPrinted()
    {
        var score = Read("lilypond/11a-TimeSignatures.xml");

        Assert.Equal("1:2/2 2:4/4 3:2/2 4:3/2 5:2/4 6:3/4 7:4/4 8:5/4 9:3/8 10:6/8 11:12/8", Page(score));
        Assert.Equal(11, ScoreBars.CountOf(score.Measures));
    }

    [Fact]
    public void APickupOfThreeEighthsASplitBarAndAShortLastBarAreReadFromTheirNotes()
    {
        var score = Read("lilypond/46d-PickupMeasure-ImplicitMeasures.xml");

        Assert.Equal("0:4/4=1.5 1:4/4=2 1:4/4=2 2:4/4=3", Page(score));
        Assert.Equal(2, ScoreBars.CountOf(score.Measures));
        var beat = Started(score);
        // The pickup's three eighths are the last of the count-in bar: it sounds from beat -1.5.
        Assert.Equal(1.5, beat.PickupBeats);
        Assert.Equal((1, 0, false), (beat.PositionOfBeat(0).Bar, beat.PositionOfBeat(0).BeatInBar, beat.PositionOfBeat(0).CountIn));
        // Bar 1 is the split bar: its two halves make one bar of four beats, so bar 2 starts on beat 4, in 3/4.
        Assert.Equal((2, 0, 3), (beat.PositionOfBeat(4).Bar, beat.PositionOfBeat(4).BeatInBar, beat.PositionOfBeat(4).BeatsPerBar));
        // After the last bar the timeline goes on in the printed metre.
        Assert.Equal((3, 4), (beat.PositionOfBeat(7).Bar, beat.PositionOfBeat(7).BeatsPerBar));
    }

    [Fact]
    public void APickupMeasuredByASecondVoiceIsOneBeat()
    {
        var score = Read("lilypond/46e-PickupMeasure-SecondVoiceStartsLater.xml");

        Assert.Equal("0:4/4=1 1:4/4 2:4/4", Page(score));
        var beat = Started(score);
        Assert.Equal(1, beat.PickupBeats);
        Assert.Equal(beat.TimeOfBeat(-1) + 1000, beat.TimeOfBeat(0));
    }

    [Fact]
    public void BarsWithHalfTheirNotesAndNoImplicitMarkAreShortBars()
    {
        var score = Read("lilypond/46f-IncompleteMeasures.xml");

        // A first bar of two quarters is an upbeat as players read it; the third bar is a bar of two beats.
        Assert.Equal("0:4/4=2 1:4/4 2:4/4=2 3:4/4", Page(score));
        var beat = Started(score);
        Assert.Equal((2, 0, 2), (beat.PositionOfBeat(4).Bar, beat.PositionOfBeat(4).BeatInBar, beat.PositionOfBeat(4).BeatsPerBar));
        Assert.Equal((3, 0, 4), (beat.PositionOfBeat(6).Bar, beat.PositionOfBeat(6).BeatInBar, beat.PositionOfBeat(6).BeatsPerBar));
    }

    [Fact]
    public void ATitleTypedAsTitleInTheCreditsIsTheTitle()
    {
        Assert.Equal("The Title", Read("lilypond/51a-Header-Credits.xml").Title);
        Assert.Equal("test_voltas_interrupted_1615", Read("osmd/test_voltas_interrupted_1615.musicxml").Title);
    }

    [Fact]
    public void FinalesEighthPickupInTwoFourIsHalfABeatBeforeBarOne()
    {
        var score = Read("osmd/Mozart_DasVeilchen.xml");

        Assert.Equal("0:2/4=0.5 " + Repeat(1, 22, "2/4"), Page(score));
        Assert.Equal("Das Veilchen (Page 1)", score.Title);
        var beat = Started(score);
        // Count-in: two beats in 2/4, bar 0; the eighth pickup sounds on the "and" of two; bar 1 is beat 0.
        Assert.Equal(0.5, beat.PickupBeats);
        Assert.Equal(-2, beat.Segments[0].Beat);
        Assert.Equal((0, 1, true), (beat.PositionOfBeat(-0.5).Bar, beat.PositionOfBeat(-0.5).BeatInBar, beat.PositionOfBeat(-0.5).CountIn));
        Assert.Equal(0.5, beat.PositionOfBeat(-0.5).Fraction);
        Assert.Equal((1, 0), (beat.PositionOfBeat(0).Bar, beat.PositionOfBeat(0).BeatInBar));
        Assert.Equal((22, 1), (beat.PositionOfBeat(43).Bar, beat.PositionOfBeat(43).BeatInBar));
    }

    [Fact]
    public void MuseScoresSixEightSongHasAnEighthPickupAndAClosingBarOfFiveEighths()
    {
        var score = Read("osmd/Cornelius_P_Christbaum_Opus_8_1_1865.mxl");

        Assert.Equal("0:6/8=1 " + Repeat(1, 51, "6/8") + " 52:6/8=5", Page(score));
        // MuseScore 2 writes the title only as the largest centred words on page 1.
        Assert.Equal("Christbaum", score.Title);
        var beat = Started(score);
        Assert.Equal((0, 5, 8), (beat.PositionOfBeat(-1).Bar, beat.PositionOfBeat(-1).BeatInBar, beat.PositionOfBeat(-1).BeatUnit));
        Assert.Equal((52, 5), (beat.PositionOfBeat(51 * 6).Bar, beat.PositionOfBeat(51 * 6).BeatsPerBar));
    }

    [Fact]
    public void ABarSplitAroundARepeatSignIsOneBar()
    {
        var score = Read("osmd/test_implicit_measure_repeat_singlenote.musicxml");

        Assert.Equal("0:2/4=0.5 1:2/4=1.5 1:2/4=0.5 2:2/4 3:2/4=1.5", Page(score));
        Assert.Equal(3, ScoreBars.CountOf(score.Measures));
        var beat = Started(score);
        Assert.Equal((2, 0, 2), (beat.PositionOfBeat(2).Bar, beat.PositionOfBeat(2).BeatInBar, beat.PositionOfBeat(2).BeatsPerBar));
        // The closing bar of three eighths is counted in eighths, at twice the tempo, so it lasts exactly 1.5 beats.
        var closing = beat.PositionOfBeat(4);
        Assert.Equal((3, 3, 8), (closing.Bar, closing.BeatsPerBar, closing.BeatUnit));
        Assert.Equal(1500, beat.TimeOfBeat(7) - beat.TimeOfBeat(4), 6);
    }

    [Fact]
    public void MuseScoreFoursHalfBarPickupIsTwoBeatsAndOverfullBarsAreFullBars()
    {
        var score = Read("osmd/test_metronome_mark_with_pickup_measure.musicxml");

        Assert.Equal("0:4/4=2 1:4/4 2:4/4 3:4/4", Page(score));
        var beat = Started(score, countInBars: 0);
        // Without a count-in the clicks start on the pickup, on beat 3 of bar 0, after the start lead.
        Assert.Equal(BeatTimeline.StartLeadMs, beat.TimeOfBeat(-2));
        Assert.Equal((0, 2), (beat.PositionOfBeat(-2).Bar, beat.PositionOfBeat(-2).BeatInBar));
        Assert.Equal(BeatTimeline.StartLeadMs + 2000, beat.TimeOfBeat(0));
    }

    [Fact]
    public void NoteflightsPickupNumberedOneIsStillAPickup()
    {
        var score = Read("osmd/test_pickup_measure_double_rhythm.xml");

        Assert.Equal("0:3/4=1 1:3/4", Page(score));
        Assert.Equal(1, ScoreBars.CountOf(score.Measures));
        var beat = Started(score);
        Assert.Equal((0, 2, true), (beat.PositionOfBeat(-1).Bar, beat.PositionOfBeat(-1).BeatInBar, beat.PositionOfBeat(-1).CountIn));
        Assert.Equal(-3, beat.Segments[0].Beat);
    }

    [Fact]
    public void IRealsRehearsalMarksAreOnTheirBars()
    {
        var score = Read("osmd/test_rehearsal_marks_bolivia.musicxml");

        Assert.Equal(32, score.Measures.Count);
        Assert.Equal([(1, "Intro"), (9, "A"), (25, "B")], score.Measures.Where(m => m.Mark is not null).Select(m => (m.CountedNumber, m.Mark!)));
        Assert.All(score.Measures, m => Assert.Equal((4, 4, 4.0), (m.Beats, m.BeatType, m.RealBeats)));
        Assert.Equal("Test - Rehearsal Marks Bolivia", score.Title);
        Assert.Equal(0, Started(score).PickupBeats);
    }

    [Theory]
    [InlineData("osmd/test_chord_symbols_backup_node_timestamp_1270.musicxml", "OSMD Tests", "1:4/4")]
    [InlineData("osmd/test_tremolo_between_notes_short.musicxml", "test_tremolo_between_notes_short", "1:4/4")]
    [InlineData("osmd/OSMD_function_test_auto-custom-coloring-entchen.musicxml", "OSMD Function Test - Auto-Coloring", "1:4/4 2:4/4 3:4/4 4:4/4 5:4/4 6:4/4")]
    [InlineData("lilypond/90a-Compressed-MusicXML.mxl", "Compressed MusicXML file", "1:2/2")]
    [InlineData("osmd/test_mxl_with_utf-16_xml.mxl", null, "1:4/4")]
    public void ExportsFromDoricoSibeliusAndMuseScoreAreReadAsPrinted(string file, string? title, string page)
    {
        var score = Read(file);

        Assert.Equal(title, score.Title);
        Assert.Equal(page, Page(score));
    }

    [Fact]
    public void AUtf16FileWithAByteOrderMarkIsRead()
    {
        var score = Read("osmd/test_UTF16LEBOM_decoding_nested_tuplet.musicxml");

        Assert.Equal("test_UTF16LEBOM_decoding_nested_tuplet", score.Title);
        // One bar (of nested tuplets, no time signature): a piece of one bar has no upbeat.
        Assert.Equal(1, Assert.Single(score.Measures).Number);
    }
}
