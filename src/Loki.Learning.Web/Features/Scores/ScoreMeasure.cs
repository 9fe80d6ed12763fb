namespace Loki.Learning.Web.Features.Scores;

/// One bar of a score in written order (repeats are not expanded): its 1-based position, its time signature
/// and the rehearsal mark printed at it, if any. The room's beat timeline takes its metre from these.
[GenerateSerializer, Immutable, Alias("Loki.ScoreMeasure")]
public sealed record ScoreMeasure(
    [property: Id(0)] int Bar,
    [property: Id(1)] int Beats,
    [property: Id(2)] int BeatType,
    [property: Id(3)] string? Mark = null);

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
