using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Materials;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.Music;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Scores;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Loki.Learning.Web.Features.Video;

/// The host presents a PDF from the room's own course materials as slides (page 1 for everyone), or stops (null).
/// Only a file of this room's course: every member of the room may read it (its file address checks that on every
/// request), and a host who teaches two courses cannot show one course's file to the other's students.
public sealed record PresentSlides(Actor Actor, Guid RoomId, Guid? MaterialId) : ICommand;

public sealed class PresentSlidesHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains, IMediator mediator)
    : ICommandHandler<PresentSlides>
{
    public async ValueTask<Unit> Handle(PresentSlides command, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        ScoreChoice? slides = null;
        if (command.MaterialId is { } materialId)
        {
            // Only among this room's course's own materials, as the materials feature lists them to this actor.
            var shelf = await mediator.Send(new ListCourseMaterials(command.Actor, room.OwnerId), cancellationToken);
            var material = shelf.Materials.SingleOrDefault(m => m.Id == materialId && m.FileUrl is not null)
                ?? throw Refusal.NotFound("Materials.Refusal.NotFound");
            if (material.Kind != MaterialFileKind.Pdf)
            {
                throw Refusal.Invalid("Slides.Refusal.NotPdf");
            }
            var file = await mediator.Send(new GetCourseMaterialFile(command.Actor, material.Id), cancellationToken);
            // The page count as the score checks read it (the file passed them when it was added).
            var pages = ScoreInspector.Inspect(".pdf", await File.ReadAllBytesAsync(file.FullPath, cancellationToken)).PageCount;
            slides = new ScoreChoice(material.Id, material.Title, ScoreKind.Pdf, material.FileUrl!, [], pages);
        }
        if (await grains.GetGrain<IRoomGrain>(room.RoomId).PresentSlidesAsync(command.Actor.PersonId, slides) is { } refusal)
        {
            throw Refusal.Forbidden(refusal);
        }
        return Unit.Value;
    }
}

/// The host turns the slides for everyone; a page outside the PDF is its first or last.
public sealed record TurnSlide(Actor Actor, Guid RoomId, int Page) : ICommand;

public sealed class TurnSlideHandler(IDbContextFactory<LokiDbContext> dbFactory, MeetingOwners owners, IGrainFactory grains) : ICommandHandler<TurnSlide>
{
    public async ValueTask<Unit> Handle(TurnSlide command, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        if (role != RoomRole.Host)
        {
            throw Refusal.Forbidden("Refusal.NotRoomHost");
        }
        if (await grains.GetGrain<IRoomGrain>(room.RoomId).TurnSlideAsync(command.Actor.PersonId, command.Page) is { } refusal)
        {
            throw Refusal.Conflict(refusal);
        }
        return Unit.Value;
    }
}
