using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Tests.Ensembles;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Rooms;

internal static class Rehearsals
{
    /// A rehearsal of a fresh ensemble with its teacher Tove and one pupil, Elsa, approved through a class code.
    public static async Task<(Actor Teacher, Actor Pupil, Guid RoomId)> WithTeacherAndPupilAsync(this Catalogue catalogue)
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher, "Tove");
        var ensembleId = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Band " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Stockholm", null));
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await catalogue.SchoolAsync()));
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Elsa", "Violin", true));
        var approved = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, true));
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var pupilId = await db.Users.Where(u => u.UserName == approved.UserName).Select(u => u.Id).SingleAsync();
        var rehearsalId = await catalogue.Mediator.Send(new ScheduleMeeting(teacher, OwnerKind.Ensemble, ensembleId, "Tutti", new DateTime(2026, 12, 2, 17, 0, 0), 75));
        var roomId = await db.Meetings.Where(r => r.Id == rehearsalId).Select(r => r.RoomId).SingleAsync();
        return (teacher, new Actor(pupilId, new HashSet<string> { Roles.Student }), roomId);
    }
}
