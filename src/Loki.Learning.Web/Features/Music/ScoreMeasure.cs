namespace Loki.Learning.Web.Features.Music;

/// One bar of a score in written order (repeats are not expanded) as a musician reads it from the page.
/// <param name="Bar">1-based position in the file (the cursor and annotations use it).</param>
/// <param name="Beats">The time signature in force: beats…</param>
/// <param name="BeatType">…of this note value (4 = quarter).</param>
/// <param name="Mark">The rehearsal mark printed at the bar, if any.</param>
/// <param name="Number">The bar number a musician counts: 0 for a pickup, 1 for the first full bar; the second half
/// of a bar split around a repeat sign or a double bar has the number of the first half. Null only in rows stored
/// before bars were counted (<see cref="ScoreBars.IsCounted"/>).</param>
/// <param name="Length">How long the bar really is, from its notes, in beats of <paramref name="BeatType"/>: less than
/// <paramref name="Beats"/> for a pickup or a split bar. Null in rows stored before lengths were read.</param>
[GenerateSerializer, Immutable, Alias("Loki.ScoreMeasure")]
public sealed record ScoreMeasure(
    [property: Id(0)] int Bar,
    [property: Id(1)] int Beats,
    [property: Id(2)] int BeatType,
    [property: Id(3)] string? Mark = null,
    [property: Id(4)] int? Number = null,
    [property: Id(5)] double? Length = null)
{
    /// The bar's real length in beats of its beat type (the full metre where the length was never read).
    public double RealBeats => Length ?? Beats;

    public int CountedNumber => Number ?? Bar;

    public bool IsShort => RealBeats < Beats - ScoreBars.Tolerance;
}

public enum ScoreKind
{
    MusicXml,
    Pdf,
}

/// What a room needs to follow a score: the file to render and, for MusicXML, its bars.
/// <param name="FileUrl">Site-relative URL that serves the file to members of the owner only.</param>
/// <param name="Measures">Empty for a PDF (it has no bars a machine can read).</param>
[GenerateSerializer, Immutable, Alias("Loki.ScoreChoice")]
public sealed record ScoreChoice(
    [property: Id(0)] Guid ScoreId,
    [property: Id(1)] string Title,
    [property: Id(2)] ScoreKind Kind,
    [property: Id(3)] string FileUrl,
    [property: Id(4)] IReadOnlyList<ScoreMeasure> Measures,
    [property: Id(5)] int PageCount);
