using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Features.Video;

/// What a browser may say to Janus through the node's relay (<see cref="VideoRelayEndpoint"/>), one connection's worth:
/// the Janus API requests a VideoRoom client needs, on sessions and handles made over this connection, for this room
/// only. The relay rewrites what identifies a person — the room, the pin, the publisher's id and name — from the
/// video ticket, so a browser cannot speak for another room or another person, and drops every field that would
/// reach beyond taking part (recording to a file, forwarding media elsewhere, renaming). Plain code, no I/O.
/// <param name="mayShareScreen">Asked at every screen join and every screen publish: whether the person may share a
/// screen now (a host, or someone the host allowed and has not taken it back from). The token alone cannot say: a
/// grant may be taken back while the connection lives. Without it, the ticket's word (hosts) counts.</param>
/// <param name="maxPictures">Most streams this connection's subscriber handles may receive together
/// (<see cref="VideoOptions.PicturesPerConnection"/>): each is a stream Janus forwards, and a member who asked for the
/// teacher's camera five hundred times would have the node send it five hundred times.</param>
public sealed class JanusRelayRules(VideoTicket ticket, string janusRoom, string pin, string apiSecret, Func<bool>? mayShareScreen = null,
    int maxPictures = 64)
{
    private bool MayShareScreen => mayShareScreen?.Invoke() ?? ticket.MayShareScreen;

    public const string VideoRoomPlugin = "janus.plugin.videoroom";

    /// The largest message a browser may send (an offer with three simulcast layers is well under 16 KiB).
    public const int MaxMessageBytes = 64 * 1024;

    private static readonly HashSet<string> SessionRequests = new(StringComparer.Ordinal) { "keepalive", "destroy", "attach" };

    private static readonly HashSet<string> HandleRequests = new(StringComparer.Ordinal) { "message", "trickle", "detach", "hangup" };

    /// The fields each VideoRoom request may carry; anything else is dropped before Janus sees it.
    private static readonly Dictionary<string, HashSet<string>> VideoRoomFields = new(StringComparer.Ordinal)
    {
        ["configure"] = ["request", "bitrate", "keyframe", "streams", "descriptions", "restart", "update", "substream", "temporal", "audio", "video"],
        ["publish"] = ["request", "bitrate", "descriptions", "videocodec"],
        ["unpublish"] = ["request"],
        ["start"] = ["request"],
        ["pause"] = ["request"],
        ["leave"] = ["request"],
        ["subscribe"] = ["request", "streams"],
        ["unsubscribe"] = ["request", "streams"],
        ["update"] = ["request", "subscribe", "unsubscribe"],
    };

    private readonly HashSet<long> _sessions = [];
    private readonly HashSet<long> _handles = [];
    private readonly Dictionary<string, string> _waiting = new(StringComparer.Ordinal);

    /// What each handle joined as: a camera or screen publisher (which may send only with permission), or null for a
    /// subscriber or a watcher.
    private readonly Dictionary<long, VideoKind?> _joined = [];

    /// The feeds each subscriber handle of this connection asked to receive (and has not unsubscribed from).
    private readonly Dictionary<long, HashSet<string>> _receiving = [];

    /// The handles that joined as a page's watcher (<see cref="WatchDisplay"/>): they hear who publishes, never send.
    private readonly HashSet<long> _watching = [];

    /// What a page's watcher joins as: a publisher in Janus' terms (only publishers hear who publishes), under an id of
    /// its own per join, that never sends. Every page of a person has one, so two tabs or devices of one person both see
    /// everyone; the person's camera and screen keep one id each (<see cref="PublisherId"/>), so only one page of theirs
    /// sends each, the newest, and the host's stop ends it wherever it runs.
    public const string WatchDisplay = "watch";

    /// The publisher id a person's camera or screen carries in the Janus room (string ids).
    public static string PublisherId(VideoKind kind, string personId) => $"{KindName(kind)}-{personId}";

    /// A watcher's id: the person and a random part, so a second page of the same person never meets the first's id.
    public static string WatcherId(string personId) => $"{WatchDisplay}-{personId}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}";

    public static string KindName(VideoKind kind) => kind == VideoKind.Screen ? "screen" : "camera";

    /// What a handle of this connection joined as: a camera or screen publisher, or null (a subscriber, or unknown).
    public VideoKind? KindOf(long handle) => _joined.GetValueOrDefault(handle);

    /// Checks and rewrites a browser's message in place. Returns null when it may go on to Janus, else a refusal key.
    /// <paramref name="publishing"/> is set when the message makes this person a publisher (the relay first ends any
    /// other connection's publisher under the same id: one camera per person, the newest wins).
    public string? Check(JsonObject message, out VideoKind? publishing)
    {
        publishing = null;
        if (message["janus"] is not JsonValue verbValue || !verbValue.TryGetValue<string>(out var verb)
            || message["transaction"] is not JsonValue transactionValue || !transactionValue.TryGetValue<string>(out var transaction)
            || transaction.Length is 0 or > 64)
        {
            return "Video.Refusal.Malformed";
        }
        // Our secret goes in; nothing a browser says about secrets or tokens does.
        message.Remove("apisecret");
        message.Remove("token");
        message.Remove("admin_secret");
        message["apisecret"] = apiSecret;

        if (verb is "create" or "ping")
        {
            message.Remove("id");
            if (verb == "create")
            {
                _waiting[transaction] = "create";
            }
            return null;
        }
        if (!SessionRequests.Contains(verb) && !HandleRequests.Contains(verb))
        {
            return "Video.Refusal.RequestNotAllowed";
        }
        if (!TryGetId(message, "session_id", out var session) || !_sessions.Contains(session))
        {
            return "Video.Refusal.NotYourSession";
        }
        if (verb == "attach")
        {
            if (message["plugin"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || message["plugin"]!.GetValue<string>() != VideoRoomPlugin)
            {
                return "Video.Refusal.RequestNotAllowed";
            }
            message.Remove("opaque_id");
            message.Remove("loop_index");
            _waiting[transaction] = "attach";
            return null;
        }
        long handle = 0;
        if (HandleRequests.Contains(verb) && (!TryGetId(message, "handle_id", out handle) || !_handles.Contains(handle)))
        {
            return "Video.Refusal.NotYourSession";
        }
        if (verb == "detach")
        {
            _receiving.Remove(handle);
        }
        return verb == "message" ? CheckVideoRoom(message, handle, out publishing) : null;
    }

    /// Learns the sessions and handles Janus made for this connection from its answers.
    public void Observe(JsonObject answer)
    {
        if (answer["janus"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && answer["janus"]!.GetValue<string>() == "success"
            && answer["transaction"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && _waiting.Remove(answer["transaction"]!.GetValue<string>(), out var what)
            && answer["data"]?["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var id))
        {
            (what == "create" ? _sessions : _handles).Add(id);
        }
    }

    private string? CheckVideoRoom(JsonObject message, long handle, out VideoKind? publishing)
    {
        publishing = null;
        if (message["body"] is not JsonObject body || body["request"] is not JsonValue requestValue || !requestValue.TryGetValue<string>(out var request))
        {
            return "Video.Refusal.Malformed";
        }
        if (request == "join")
        {
            // A join carries no offer: an offer is sent by "publish", which is checked for permission below.
            if (_joined.ContainsKey(handle) || _watching.Contains(handle) || message["jsep"] is not null)
            {
                return "Video.Refusal.RequestNotAllowed";
            }
            var refusal = CheckJoin(body, out publishing, out var joinedAs, out var watching);
            if (refusal is null && !watching && joinedAs is null)
            {
                refusal = Receive(handle, body["streams"], null);
            }
            if (refusal is null && watching)
            {
                _watching.Add(handle);
            }
            else if (refusal is null)
            {
                _joined[handle] = joinedAs;
            }
            return refusal;
        }
        if (_watching.Contains(handle))
        {
            // A watcher only listens and leaves: no publish, configure or offer under its id.
            return request == "leave" && message["jsep"] is null ? null : "Video.Refusal.RequestNotAllowed";
        }
        if (!VideoRoomFields.TryGetValue(request, out var fields))
        {
            // create, destroy, edit, exists, list, listparticipants, kick, moderate, allowed, rtp_forward,
            // enable_recording, switch, joinandconfigure…: the node's business, or nobody's.
            return "Video.Refusal.RequestNotAllowed";
        }
        if (!_joined.TryGetValue(handle, out var kind))
        {
            return "Video.Refusal.RequestNotAllowed";
        }
        // Sending a picture: "publish", or a publisher's "configure" with an offer. A page joins as a camera publisher
        // only to send its camera (it hears who publishes through its watcher); only those with consent may send.
        // A publisher's offer on any request counts: Janus reads an offer from a publisher whatever the request.
        var sends = request == "publish" || (kind is not null && message["jsep"] is not null);
        if (sends && kind is null)
        {
            return "Video.Refusal.RequestNotAllowed";
        }
        if (sends && kind == VideoKind.Camera && !ticket.MayUseCamera)
        {
            return "Video.Refusal.NoCameraConsent";
        }
        if (sends && kind == VideoKind.Screen && !MayShareScreen)
        {
            return "Video.Refusal.OnlyHostShares";
        }
        if (sends && message["jsep"] is { } jsep && OfferRefusal(jsep) is { } offerRefusal)
        {
            return offerRefusal;
        }
        foreach (var field in body.Select(p => p.Key).Where(k => !fields.Contains(k)).ToList())
        {
            body.Remove(field);
        }
        return request switch
        {
            _ when kind is not null && request is "subscribe" or "unsubscribe" or "update" => "Video.Refusal.RequestNotAllowed",
            "subscribe" => Receive(handle, body["streams"], null),
            "unsubscribe" => Receive(handle, null, body["streams"]),
            "update" => Receive(handle, body["subscribe"], body["unsubscribe"]),
            _ => null,
        };
    }

    /// A publisher's offer may send pictures only. Sound goes through the room's own audio, where the host's mute, the
    /// mix and removal hold; a sound or data section through Janus would reach every subscriber past all three.
    /// Sections the offer turns off (port 0) send nothing and pass.
    private static string? OfferRefusal(JsonNode jsep)
    {
        if (jsep is not JsonObject offer || offer["sdp"] is not JsonValue sdpValue || !sdpValue.TryGetValue<string>(out var sdp))
        {
            return "Video.Refusal.Malformed";
        }
        foreach (var line in sdp.Split('\n'))
        {
            if (!line.StartsWith("m=", StringComparison.Ordinal))
            {
                continue;
            }
            var fields = line[2..].TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                return "Video.Refusal.Malformed";
            }
            if (fields[0] != "video" && fields[1] != "0")
            {
                return "Video.Refusal.OnlyPictures";
            }
        }
        return null;
    }

    /// Counts what a subscriber handle asks to receive. Each stream asked for names a feed (a string id); a feed the
    /// handle receives already is refused (Janus would forward it once more), and so is going past
    /// <c>maxPictures</c> for the whole connection. An unsubscribe by feed gives the feed back; by mid it is passed on
    /// uncounted (the page never does that, and it only costs the asker).
    private string? Receive(long handle, JsonNode? subscribe, JsonNode? unsubscribe)
    {
        if ((subscribe is not null and not JsonArray) || (unsubscribe is not null and not JsonArray))
        {
            return "Video.Refusal.Malformed";
        }
        var receiving = _receiving.GetValueOrDefault(handle) ?? [];
        var next = new HashSet<string>(receiving, StringComparer.Ordinal);
        foreach (var stream in (JsonArray?)unsubscribe ?? [])
        {
            if (stream is JsonObject { } gone && gone["feed"] is JsonValue feed && feed.TryGetValue<string>(out var id))
            {
                next.Remove(id);
            }
        }
        foreach (var stream in (JsonArray?)subscribe ?? [])
        {
            if (stream is not JsonObject wanted || wanted["feed"] is not JsonValue feed || !feed.TryGetValue<string>(out var id))
            {
                return "Video.Refusal.Malformed";
            }
            if (!next.Add(id))
            {
                return "Video.Refusal.TooManyPictures";
            }
        }
        if (_receiving.Where(other => other.Key != handle).Sum(other => other.Value.Count) + next.Count > maxPictures)
        {
            return "Video.Refusal.TooManyPictures";
        }
        _receiving[handle] = next;
        return null;
    }

    private string? CheckJoin(JsonObject body, out VideoKind? publishing, out VideoKind? joinedAs, out bool watching)
    {
        publishing = null;
        joinedAs = null;
        watching = false;
        var type = body["ptype"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? body["ptype"]!.GetValue<string>() : null;
        if (type == "publisher")
        {
            var kindName = body["display"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? body["display"]!.GetValue<string>() : null;
            VideoKind kind;
            switch (kindName)
            {
                case WatchDisplay:
                    // Whatever id the browser named, the relay makes one of this person's own.
                    PublisherJoin(body, WatcherId(ticket.PersonId), WatchDisplay);
                    watching = true;
                    return null;
                case "camera":
                    kind = VideoKind.Camera;
                    break;
                case "screen":
                    if (!MayShareScreen)
                    {
                        return "Video.Refusal.OnlyHostShares";
                    }
                    kind = VideoKind.Screen;
                    break;
                default:
                    return "Video.Refusal.Malformed";
            }
            PublisherJoin(body, PublisherId(kind, ticket.PersonId), KindName(kind));
            publishing = kind;
            joinedAs = kind;
            return null;
        }
        if (type == "subscriber")
        {
            var streams = body["streams"]?.DeepClone();
            var msid = body["use_msid"]?.DeepClone();
            body.Clear();
            body["request"] = "join";
            body["ptype"] = "subscriber";
            body["room"] = janusRoom;
            body["pin"] = pin;
            if (streams is not null)
            {
                body["streams"] = streams;
            }
            if (msid is not null)
            {
                body["use_msid"] = msid;
            }
            return null;
        }
        return "Video.Refusal.Malformed";
    }

    /// Rewrites a publisher join to this room, with its pin, under the id and display the relay chose.
    private void PublisherJoin(JsonObject body, string id, string display)
    {
        body.Clear();
        body["request"] = "join";
        body["ptype"] = "publisher";
        body["room"] = janusRoom;
        body["pin"] = pin;
        body["id"] = id;
        body["display"] = display;
    }

    private static bool TryGetId(JsonObject message, string name, out long id)
    {
        id = 0;
        return message[name] is JsonValue value && value.TryGetValue(out id);
    }
}

/// What a person sends into a room's video.
public enum VideoKind
{
    Camera,
    Screen,
}
