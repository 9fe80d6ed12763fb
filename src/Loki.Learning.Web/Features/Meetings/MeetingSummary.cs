namespace Loki.Learning.Web.Features.Meetings;

/// A meeting as a schedule lists it: what, when, and the room to open.
public sealed record MeetingSummary(Guid Id, string Title, DateTime StartsUtc, DateTime EndsUtc, Guid RoomId);
