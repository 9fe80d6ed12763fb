using Loki.Learning.Web.Data;
using Loki.Learning.Web.Features.Meetings;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loki.Learning.Web.Features.Video;

/// <param name="Token">Signed, valid for <see cref="VideoTokens.Lifetime"/>: the relay accepts it once at connect.</param>
/// <param name="RelayUrl">The relay's WebSocket address without the token: a path on this site, or in a cluster the
/// address of the node hosting the room (its Janus carries the room's video, as its engine carries the audio).</param>
/// <param name="MayUseCamera">False for a pupil whose guardian has not consented to video.</param>
/// <param name="MayShareScreen">Hosts share their screen, and those the host allowed (now: the relay asks the room again
/// at every share, so a grant taken back counts at once).</param>
/// <param name="CamerasPerPage">How many of the others' cameras the page shows and receives at once (<see cref="VideoOptions.CamerasPerPage"/>).</param>
public sealed record VideoAccess(string Token, string RelayUrl, bool MayUseCamera, bool MayShareScreen, int CamerasPerPage);

/// A member in the room asks for a video token. The same check as the audio token's: a member by the database,
/// and in the room's roster now (joined, not removed). A pupil may send their camera only with video consent on file.
/// Refused with <c>Video.NotInstalled</c>/<c>Video.NotAvailable</c> when this node hosts the room and has no Janus to
/// offer. In a cluster the room's video lives on the node hosting the room: the answer names that node's relay and the
/// token is valid there only (whether that node's Janus runs, its relay says).
public sealed record IssueVideoToken(Actor Actor, Guid RoomId) : ICommand<VideoAccess>;

public sealed class IssueVideoTokenHandler(
    IDbContextFactory<LokiDbContext> dbFactory,
    MeetingOwners owners, IGrainFactory grains, VideoTokens tokens, JanusSupervisor janus, RoomMedia media, IOptions<VideoOptions> options) : ICommandHandler<IssueVideoToken, VideoAccess>
{
    public async ValueTask<VideoAccess> Handle(IssueVideoToken command, CancellationToken cancellationToken)
    {
        var (room, role) = await dbFactory.MemberOfRoomAsync(owners, command.RoomId, command.Actor, cancellationToken);
        var roomGrain = grains.GetGrain<IRoomGrain>(room.RoomId);
        var view = await roomGrain.GetViewAsync();
        if (!view.Open || view.Roster.All(p => p.PersonId != command.Actor.PersonId))
        {
            throw Refusal.Forbidden("Video.Refusal.NotInRoom");
        }
        var where = await roomGrain.GetMediaEndpointAsync();
        if (!media.IsElsewhere(where.Node) && janus.Endpoint is null)
        {
            throw Refusal.Conflict(janus.Unavailable ?? "Video.NotAvailable");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.Where(u => u.Id == command.Actor.PersonId).Select(u => new { u.IsPupil, u.VideoConsent }).SingleAsync(cancellationToken);
        var ticket = tokens.TicketFor(room.RoomId, command.Actor.PersonId, role, VideoConsent.AllowsCamera(person.IsPupil, person.VideoConsent), where.Node);
        return new VideoAccess(tokens.Issue(ticket), where.AudioBaseUrl + VideoRelayEndpoint.Path(room.RoomId), ticket.MayUseCamera, view.MayShareScreen(command.Actor.PersonId),
            options.Value.CamerasPerPage);
    }
}

/// Whose camera may be on: a pupil's only with their guardian's video consent on file; an adult decides by turning
/// their own camera on.
public static class VideoConsent
{
    public static bool AllowsCamera(bool isPupil, bool consentOnFile) => !isPupil || consentOnFile;
}
