using System.ComponentModel.DataAnnotations;
using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.People;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Meetings;

/// A leader of a course or ensemble schedules a meeting (a class session, a rehearsal) with a live room of its own.
/// <param name="Start">Wall-clock start in the owner's time zone.</param>
public sealed record ScheduleMeeting(
    Actor Actor,
    OwnerKind OwnerKind,
    Guid OwnerId,
    [property: Required(ErrorMessage = "Validation.Required"), StringLength(200, MinimumLength = 3, ErrorMessage = "Validation.Length3To200")] string Title,
    DateTime Start,
    [property: Range(15, 480, ErrorMessage = "Validation.Duration")] int DurationMinutes) : ICommand<Guid>;

public sealed class ScheduleMeetingHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners) : ICommandHandler<ScheduleMeeting, Guid>
{
    public async ValueTask<Guid> Handle(ScheduleMeeting command, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var owner = await owners[command.OwnerKind].FindAsync(db, command.OwnerId, cancellationToken)
            ?? throw Refusal.NotFound(NotFoundKey(command.OwnerKind));
        if (!(await owners.AccessAsync(db, owner, command.Actor, cancellationToken)).MayManage)
        {
            throw Refusal.Forbidden(NotLeaderKey(command.OwnerKind));
        }

        var (startsUtc, endsUtc) = Schedule.Slot(command.Start, command.DurationMinutes, owner.TimeZoneId);
        var meeting = new Meeting
        {
            OwnerKind = owner.Kind, OwnerId = owner.Id, Title = command.Title.Trim(), StartsUtc = startsUtc, EndsUtc = endsUtc, TimeZoneId = owner.TimeZoneId,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync(cancellationToken);
        return meeting.Id;
    }

    private static string NotFoundKey(OwnerKind kind) => kind switch
    {
        OwnerKind.Course => "Refusal.CourseNotFound",
        OwnerKind.Ensemble => "Refusal.EnsembleNotFound",
        _ => "Refusal.EventNotFound",
    };

    private static string NotLeaderKey(OwnerKind kind) => kind switch
    {
        OwnerKind.Course => "Refusal.NotCourseTeacher",
        OwnerKind.Ensemble => "Refusal.NotEnsembleTeacher",
        _ => "Refusal.NotYourEvent",
    };
}
