using Loki.Learning.Web.Features.People;
using Mediator;

namespace Loki.Learning.Web.Features.Rooms;

/// <param name="MediaRoom">The engine's room id.</param>
/// <param name="ClientName">The name the browser participant carries in the engine.</param>
/// <param name="Node">The silo address of the node hosting the room's audio.</param>
public sealed record RoomAudioAdmission(AudioTicket Ticket, string MediaRoom, string ClientName, string? Node);

/// A browser opens the audio WebSocket with the token from its join. The token must be genuine, unexpired,
/// issued to this signed-in person for this room, and unused (the room grain consumes its nonce).
/// <param name="Actor">The signed-in caller; null when the request carries no identity.</param>
public sealed record AdmitRoomAudio(Actor? Actor, Guid RoomId, string? Token) : ICommand<RoomAudioAdmission>;

public sealed class AdmitRoomAudioHandler(RoomAudioTokens tokens, IGrainFactory grains) : ICommandHandler<AdmitRoomAudio, RoomAudioAdmission>
{
    public async ValueTask<RoomAudioAdmission> Handle(AdmitRoomAudio command, CancellationToken cancellationToken)
    {
        if (command.Actor is null)
        {
            throw Refusal.Forbidden("Refusal.AudioNotSignedIn");
        }
        if (tokens.TryRead(command.Token, out var ticket) is { } refusal)
        {
            throw Refusal.Forbidden(refusal);
        }
        if (ticket!.RoomId != command.RoomId)
        {
            throw Refusal.Forbidden("Refusal.AudioTokenOtherRoom");
        }
        if (ticket.PersonId != command.Actor.PersonId)
        {
            throw Refusal.Forbidden("Refusal.AudioTokenNotYours");
        }
        var admission = await grains.GetGrain<IRoomGrain>(command.RoomId).AdmitBrowserAudioAsync(ticket.PersonId, ticket.Nonce);
        if (admission.RefusalKey is not null)
        {
            throw Refusal.Forbidden(admission.RefusalKey);
        }
        return new RoomAudioAdmission(ticket, admission.MediaRoom!, admission.ClientName!, admission.Node);
    }
}
