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
