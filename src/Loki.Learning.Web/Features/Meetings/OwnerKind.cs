namespace Loki.Learning.Web.Features.Meetings;

/// What owns meetings, rooms, scores and recordings. Stored by name (scores, recordings and meetings keep
/// "Course", "Ensemble", "Workshop" in their OwnerKind column), so the names must not change.
public enum OwnerKind
{
    Course,
    Ensemble,
    Workshop,
}
