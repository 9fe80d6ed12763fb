using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Courses;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Rooms;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loki.Learning.Web.Tests.Rooms;

/// The browser audio socket admits only the holder of a genuine, fresh, unused token for that very room.
[Collection(nameof(CatalogueCollection))]
public sealed class AudioTokenTests(Catalogue catalogue)
{
    private async Task<(Actor Teacher, Actor Pupil, Guid RoomId)> OpenRehearsalAsync()
    {
        var (teacher, pupil, roomId) = await catalogue.WithTeacherAndPupilAsync();
        await catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        return (teacher, pupil, roomId);
    }

    private async Task<string> RefusalAsync(Actor? actor, Guid roomId, string? token)
    {
        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new AdmitRoomAudio(actor, roomId, token)).AsTask());
        return refusal.ReasonKey;
    }

    [Fact]
    public async Task AJoinCarriesAnAudioTokenThatAdmitsItsHolderOnce()
    {
        var (_, pupil, roomId) = await OpenRehearsalAsync();
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        var admitted = await catalogue.Mediator.Send(new AdmitRoomAudio(pupil, roomId, join.AudioToken));
        var reused = await RefusalAsync(pupil, roomId, join.AudioToken);

        Assert.Equal($"/rooms/{roomId:D}/audio", join.AudioUrl);
        Assert.True(join.AudioTokenExpiresUtc <= catalogue.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(2));
        Assert.Equal(pupil.PersonId, admitted.Ticket.PersonId);
        Assert.Equal(RoomRole.Performer, admitted.Ticket.Role);
        Assert.Equal(roomId.ToString("N"), admitted.MediaRoom);
        Assert.Equal("Refusal.AudioTokenUsed", reused);
    }

    [Fact]
    public async Task AForgedOrTamperedTokenIsRefused()
    {
        var (_, pupil, roomId) = await OpenRehearsalAsync();
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var tampered = join.AudioToken[..20] + (join.AudioToken[20] == 'A' ? 'B' : 'A') + join.AudioToken[21..];
        // Same shape and purpose, but signed with keys this site does not have.
        var foreign = new RoomAudioTokens(new EphemeralDataProtectionProvider(), catalogue.Clock)
            .Issue(roomId, pupil.PersonId, RoomRole.Host, "0123456789abcdef0123456789abcdef", out _);

        Assert.Equal("Refusal.AudioTokenInvalid", await RefusalAsync(pupil, roomId, tampered));
        Assert.Equal("Refusal.AudioTokenInvalid", await RefusalAsync(pupil, roomId, foreign));
        Assert.Equal("Refusal.AudioTokenInvalid", await RefusalAsync(pupil, roomId, "not-a-token"));
        Assert.Equal("Refusal.AudioTokenInvalid", await RefusalAsync(pupil, roomId, null));
        // The genuine token was never consumed by the failed attempts.
        await catalogue.Mediator.Send(new AdmitRoomAudio(pupil, roomId, join.AudioToken));
    }

    [Fact]
    public async Task AnExpiredTokenIsRefused()
    {
        var (_, pupil, roomId) = await OpenRehearsalAsync();
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        catalogue.Clock.Advance(RoomAudioTokens.Lifetime + TimeSpan.FromSeconds(1));

        Assert.Equal("Refusal.AudioTokenExpired", await RefusalAsync(pupil, roomId, join.AudioToken));
    }

    [Fact]
    public async Task ATokenForAnotherRoomSomeoneElseOrNobodyIsRefused()
    {
        var (teacher, pupil, roomId) = await OpenRehearsalAsync();
        var (_, _, otherRoomId) = await OpenRehearsalAsync();
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        Assert.Equal("Refusal.AudioTokenOtherRoom", await RefusalAsync(pupil, otherRoomId, join.AudioToken));
        Assert.Equal("Refusal.AudioTokenNotYours", await RefusalAsync(teacher, roomId, join.AudioToken));
        Assert.Equal("Refusal.AudioNotSignedIn", await RefusalAsync(null, roomId, join.AudioToken));
    }

    [Fact]
    public async Task ANewJoinReplacesTheUnusedTokenAndLeavingVoidsIt()
    {
        var (_, pupil, roomId) = await OpenRehearsalAsync();
        var first = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var second = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));

        Assert.Equal("Refusal.AudioTokenUsed", await RefusalAsync(pupil, roomId, first.AudioToken));
        await catalogue.Mediator.Send(new ControlRoom(pupil, roomId, RoomControl.Leave));
        Assert.Equal("Refusal.AudioTokenUsed", await RefusalAsync(pupil, roomId, second.AudioToken));
    }

    [Fact]
    public async Task ABrowserParticipantShowsAsConnectedAndTheHostsMuteAppliesToIt()
    {
        var (teacher, pupil, roomId) = await OpenRehearsalAsync();
        await catalogue.Mediator.Send(new JoinRoom(teacher, roomId));
        var join = await catalogue.Mediator.Send(new JoinRoom(pupil, roomId));
        var admitted = await catalogue.Mediator.Send(new AdmitRoomAudio(pupil, roomId, join.AudioToken));
        var room = catalogue.Cluster.Client.GetGrain<IRoomGrain>(roomId);

        await room.MediaJoinedAsync(admitted.ClientName, mediaId: 4242, channels: 1);
        await catalogue.Mediator.Send(new ControlRoom(teacher, roomId, RoomControl.Mute, pupil.PersonId));
        var connected = (await room.GetViewAsync()).Roster.Single(p => p.PersonId == pupil.PersonId);
        await room.MediaLeftAsync(4242);
        var gone = (await room.GetViewAsync()).Roster.Single(p => p.PersonId == pupil.PersonId);

        Assert.StartsWith("browser-", admitted.ClientName, StringComparison.Ordinal);
        Assert.True(connected.AudioConnected);
        Assert.Equal(AudioVia.Browser, connected.Via);
        Assert.True(connected.Muted);
        Assert.False(gone.AudioConnected);
        Assert.Equal(AudioVia.None, gone.Via);
    }
}
