using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Features.Video;

/// The node's Janus rooms: one per live room with video in use here, made on first use with a secret and a pin only
/// the node knows (the relay adds the pin to a browser's join; the secret guards kick, edit and destroy). Each is
/// watched through its room grain: a person who leaves the roster (left, or removed by the host) has their
/// publishers kicked and their relays closed; a room that closes has its Janus room destroyed.
public sealed class VideoRooms(JanusSupervisor janus, JanusApi api, IGrainFactory grains, VideoOptions options, ILogger<VideoRooms> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, LiveVideoRoom> _rooms = new();
    private readonly ConcurrentDictionary<(Guid Room, string Person), CancellationTokenSource> _present = new();

    /// The last view of each watched room: who may share a screen (<see cref="MayShareScreen"/>).
    private readonly ConcurrentDictionary<Guid, RoomView> _views = new();
    private readonly SemaphoreSlim _creating = new(1, 1);

    /// The Janus room of a live room, made when missing (or lost with a Janus restart). Throws <see cref="JanusException"/>
    /// when Janus cannot be reached.
    public async Task<LiveVideoRoom> EnsureAsync(Guid roomId, CancellationToken cancellationToken)
    {
        if (_rooms.TryGetValue(roomId, out var live) && live.Generation == janus.Generation)
        {
            return live;
        }
        await _creating.WaitAsync(cancellationToken);
        try
        {
            if (_rooms.TryGetValue(roomId, out live) && live.Generation == janus.Generation)
            {
                return live;
            }
            var endpoint = janus.Endpoint ?? throw new JanusException("Video.NotAvailable");
            var generation = janus.Generation;
            // A fresh name each time: an external Janus may still hold a room this node made before it restarted.
            var made = new LiveVideoRoom(roomId, $"{roomId:N}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}", Secret(), Secret(), generation);
            await api.VideoRoomAsync(new JsonObject
            {
                ["request"] = "create",
                ["admin_key"] = endpoint.AdminKey,
                ["room"] = made.JanusRoom,
                ["description"] = "loki",
                ["secret"] = made.Secret,
                ["pin"] = made.Pin,
                ["is_private"] = true,
                ["publishers"] = options.MaxPublishersPerRoom,
                ["bitrate"] = options.MaxPublisherBitrate,
                ["fir_freq"] = 10,
                ["videocodec"] = "vp8",
                ["notify_joining"] = false,
                // Only the node (holding the secret) turns recording on, and only for pictures a take may record.
                ["lock_record"] = true,
                ["permanent"] = false,
            }, cancellationToken);
            if (live?.Watcher is { } oldWatcher)
            {
                made.Watcher = oldWatcher;
            }
            else
            {
                made.Watcher = await RoomWatcher.StartAsync(grains, roomId, view => RoomChangedAsync(roomId, view));
            }
            _rooms[roomId] = made;
            _views.TryAdd(roomId, await grains.GetGrain<IRoomGrain>(roomId).GetViewAsync());
            logger.LogInformation("Video room {JanusRoom} made for room {RoomId}", made.JanusRoom, roomId);
            return made;
        }
        finally
        {
            _creating.Release();
        }
    }

    /// A relay of <paramref name="personId"/> in the room: its token is cancelled when they leave the room or are removed.
    public CancellationToken Present(Guid roomId, string personId) =>
        _present.GetOrAdd((roomId, personId), _ => new CancellationTokenSource()).Token;

    /// Whether the person may share a screen in the room, by the room's last view this node saw (kept current by the
    /// room's watcher; <see cref="MayShareScreenNowAsync"/> asks the room).
    public bool MayShareScreen(Guid roomId, string personId) => _views.TryGetValue(roomId, out var view) && view.MayShareScreen(personId);

    /// The same, asked of the room itself (a grant the watcher has not brought here yet).
    public async Task<bool> MayShareScreenNowAsync(Guid roomId, string personId) =>
        (await grains.GetGrain<IRoomGrain>(roomId).GetViewAsync()).MayShareScreen(personId);

    /// One shared screen at a time: a new share ends every other person's (the newest share is the one the room
    /// wanted to see; the host takes the stage back by sharing again or by taking the grant back).
    public async Task EndOtherScreensAsync(Guid roomId, string personId, CancellationToken cancellationToken)
    {
        if (!_rooms.TryGetValue(roomId, out var live) || live.Generation != janus.Generation)
        {
            return;
        }
        var answer = await api.VideoRoomAsync(new JsonObject { ["request"] = "listparticipants", ["room"] = live.JanusRoom }, cancellationToken);
        var own = JanusRelayRules.PublisherId(VideoKind.Screen, personId);
        var prefix = JanusRelayRules.KindName(VideoKind.Screen) + "-";
        foreach (var id in (answer["participants"]?.AsArray() ?? []).Select(p => p?["id"]?.GetValue<string>())
            .Where(id => id is not null && id != own && id.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await KickAsync(roomId, id![prefix.Length..], VideoKind.Screen, cancellationToken);
        }
        live.Sending = null;
    }

    /// Ends a person's camera or screen in the room (the host's stop, one camera per person). No error when none runs.
    public async Task KickAsync(Guid roomId, string personId, VideoKind kind, CancellationToken cancellationToken)
    {
        if (!_rooms.TryGetValue(roomId, out var live) || live.Generation != janus.Generation)
        {
            return;
        }
        try
        {
            await api.VideoRoomAsync(new JsonObject
            {
                ["request"] = "kick",
                ["room"] = live.JanusRoom,
                ["secret"] = live.Secret,
                ["id"] = JanusRelayRules.PublisherId(kind, personId),
            }, cancellationToken);
            logger.LogInformation("Video: {Kind} of {PersonId} in room {RoomId} ended", kind, personId, roomId);
        }
        catch (JanusException exception) when (exception.Code == NoSuchFeed)
        {
            // Not publishing: nothing to end.
        }
    }

    /// Who is sending a picture in the room now ("camera-{personId}", "screen-{personId}"), as Janus lists its
    /// publishers; read at most once a second per room however many roster strips ask. Empty when video is not in use.
    public async Task<IReadOnlySet<string>> SendingAsync(Guid roomId, CancellationToken cancellationToken)
    {
        if (!_rooms.TryGetValue(roomId, out var live) || live.Generation != janus.Generation)
        {
            return EmptySet;
        }
        var cached = live.Sending;
        if (cached is not null && DateTime.UtcNow - cached.Value.At < TimeSpan.FromSeconds(1))
        {
            return cached.Value.Publishers;
        }
        try
        {
            var answer = await api.VideoRoomAsync(new JsonObject { ["request"] = "listparticipants", ["room"] = live.JanusRoom }, cancellationToken);
            var publishers = (answer["participants"]?.AsArray() ?? [])
                .Where(p => p?["publisher"]?.GetValue<bool>() == true)
                .Select(p => p!["id"]!.GetValue<string>())
                .ToHashSet(StringComparer.Ordinal);
            live.Sending = (DateTime.UtcNow, publishers);
            return publishers;
        }
        catch (JanusException)
        {
            // Janus is restarting: nobody's picture is going anywhere now.
            return EmptySet;
        }
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    /// Janus' VideoRoom error for an unknown participant id.
    private const int NoSuchFeed = 428;

    private async Task RoomChangedAsync(Guid roomId, RoomView view)
    {
        // A grant taken back ends the running share at once (the relay refuses the next one by the same view).
        var before = _views.TryGetValue(roomId, out var old) ? old : null;
        if (before is not null && before.Version > view.Version)
        {
            return;
        }
        _views[roomId] = view;
        foreach (var person in before?.Roster.Where(p => p.MayShareScreen && !view.MayShareScreen(p.PersonId) && view.Roster.Any(q => q.PersonId == p.PersonId)) ?? [])
        {
            try
            {
                await KickAsync(roomId, person.PersonId, VideoKind.Screen, CancellationToken.None);
            }
            catch (JanusException exception)
            {
                logger.LogWarning("Video: could not end {PersonId}'s screen in room {RoomId}: {Reason}", person.PersonId, roomId, exception.Message);
            }
        }
        var inRoom = view.Roster.Select(p => p.PersonId).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _present.Keys.Where(k => k.Room == roomId && (!view.Open || !inRoom.Contains(k.Person))).ToList())
        {
            if (_present.TryRemove(key, out var presence))
            {
                // Their relays close (Janus ends the sessions made over them) and their publishers are kicked, so no
                // picture of theirs outlives their place in the room.
                // (Not disposed: a relay may be linking its token to it right now.)
                await presence.CancelAsync();
                try
                {
                    await KickAsync(roomId, key.Person, VideoKind.Camera, CancellationToken.None);
                    await KickAsync(roomId, key.Person, VideoKind.Screen, CancellationToken.None);
                }
                catch (JanusException exception)
                {
                    logger.LogWarning("Video: could not end {PersonId}'s video in room {RoomId}: {Reason}", key.Person, roomId, exception.Message);
                }
            }
        }
        if (!view.Open && _rooms.TryRemove(roomId, out var closed))
        {
            _views.TryRemove(roomId, out _);
            await DestroyAsync(closed);
        }
    }

    private async Task DestroyAsync(LiveVideoRoom live)
    {
        if (live.Watcher is { } watcher)
        {
            // Not awaited here: this runs inside the watcher's own callback.
            _ = watcher.DisposeAsync().AsTask();
        }
        if (live.Generation != janus.Generation)
        {
            return;
        }
        try
        {
            await api.VideoRoomAsync(new JsonObject { ["request"] = "destroy", ["room"] = live.JanusRoom, ["secret"] = live.Secret }, CancellationToken.None);
        }
        catch (JanusException exception)
        {
            logger.LogDebug("Video room {JanusRoom} was not destroyed: {Reason}", live.JanusRoom, exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var live in _rooms.Values)
        {
            if (live.Watcher is { } watcher)
            {
                try
                {
                    await watcher.DisposeAsync();
                }
                catch (Exception exception) when (exception is SiloUnavailableException or OrleansException or TimeoutException or ObjectDisposedException)
                {
                    // The node is stopping and its silo went first: nothing left to unsubscribe from.
                }
            }
        }
        foreach (var presence in _present.Values)
        {
            presence.Dispose();
        }
        _creating.Dispose();
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}

/// A Janus room made for a live room on this node. <see cref="Secret"/> and <see cref="Pin"/> never leave the node.
public sealed class LiveVideoRoom(Guid roomId, string janusRoom, string secret, string pin, long generation)
{
    public Guid RoomId { get; } = roomId;

    public string JanusRoom { get; } = janusRoom;

    public string Secret { get; } = secret;

    public string Pin { get; } = pin;

    /// The Janus start this room was made in.
    public long Generation { get; } = generation;

    /// The publishers last listed, and when (<see cref="VideoRooms.SendingAsync"/>).
    public (DateTime At, IReadOnlySet<string> Publishers)? Sending { get; set; }

    internal RoomWatcher? Watcher { get; set; }
}
