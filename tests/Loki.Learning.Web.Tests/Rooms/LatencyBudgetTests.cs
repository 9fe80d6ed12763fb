using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.Institutions;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Tests.Rooms;

[Collection(nameof(CatalogueCollection))]
public sealed class LatencyBudgetTests(Catalogue catalogue)
{
    [Fact]
    public async Task TheFibreFloorBetweenÖstersundAndSteinkjerFollowsTheirDistance()
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var ostersund = new Institution { Name = "Östersund " + suffix, Town = "Östersund", Country = "SE", Latitude = 63.1792, Longitude = 14.6357 };
        var steinkjer = new Institution { Name = "Steinkjer " + suffix, Town = "Steinkjer", Country = "NO", Latitude = 64.0149, Longitude = 11.4954 };
        db.Institutions.AddRange(ostersund, steinkjer);
        await db.SaveChangesAsync();

        var teacher = await catalogue.PersonAsync(Roles.Teacher, "Tove");
        var ensembleId = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Border band " + suffix, null, "Europe/Stockholm", ostersund.Id));
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, steinkjer.Id));
        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Kari", null, false));
        var approved = await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, true));
        var pupilId = await db.Users.Where(u => u.UserName == approved.UserName).Select(u => u.Id).SingleAsync();
        var pupil = new Actor(pupilId, new HashSet<string> { Roles.Student });
        var rehearsalId = await catalogue.Mediator.Send(new ScheduleMeeting(teacher, OwnerKind.Ensemble, ensembleId, "Tutti", new DateTime(2026, 12, 9, 17, 0, 0), 60));
        var roomId = await db.Meetings.Where(r => r.Id == rehearsalId).Select(r => r.RoomId).SingleAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        var pairs = await catalogue.Mediator.Send(new GetLatencyBudget(pupil, roomId));

        var pair = Assert.Single(pairs);
        Assert.Equal(("Östersund", "Steinkjer"), (pair.SiteA, pair.SiteB));
        Assert.InRange(pair.DistanceKm!.Value, 170, 200);
        Assert.InRange(pair.FibreFloorMs!.Value, 1.6, 2.0);
        Assert.Null(pair.MeasuredMs);
    }
}
