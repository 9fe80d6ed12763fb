using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Features.Video;

/// One relay's side of a take: which of its handles publish a picture, and whether Janus records each into the room's
/// take. A browser never asks for recording (the rules drop those fields); the relay adds them with the room's secret
/// to the browser's own publish when the take records this person, and sends a <c>configure</c> of its own on the
/// browser's handle when a take starts or stops while the picture runs. Janus' answers to those are the relay's and
/// never reach the page. Used by both pumps of one relay: locked.
public sealed class RelayRecording(VideoRecordings recordings, Guid roomId, string personId, string roomSecret, string apiSecret)
{
    /// Transactions of the relay's own requests start with this (a browser that uses it too only loses its own answers).
    public const string TransactionPrefix = "loki-rec-";

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Publisher> _publishers = [];
    private readonly ConcurrentDictionary<string, byte> _own = new(StringComparer.Ordinal);

    /// Looks at a browser's message the rules let through (already rewritten) and, when it starts a picture the take
    /// records, adds the recording fields. <paramref name="kindOf"/> says what a handle joined as (null: a subscriber).
    public void Observe(JsonObject message, Func<long, VideoKind?> kindOf)
    {
        var verb = message["janus"]?.GetValue<string>();
        if (!TryGetId(message, "handle_id", out var handle) || !TryGetId(message, "session_id", out var session))
        {
            return;
        }
        if (verb is "detach" or "hangup")
        {
            Stopped(handle);
            return;
        }
        if (verb != "message" || message["body"] is not JsonObject body || body["request"]?.GetValue<string>() is not { } request)
        {
            return;
        }
        if (request is "unpublish" or "leave")
        {
            Stopped(handle);
            return;
        }
        var publish = request == "publish";
        if ((publish || (request == "configure" && message["jsep"] is not null)) && kindOf(handle) is { } kind)
        {
            lock (_lock)
            {
                var publisher = _publishers.GetValueOrDefault(handle) ?? new Publisher(session, kind);
                _publishers[handle] = publisher;
                // A publish is always a new picture (a new recorder); a renegotiation keeps the one that runs.
                if (publish)
                {
                    publisher.RecordingId = null;
                }
                if (publisher.RecordingId is null && Start(publisher) is { } filename)
                {
                    body["record"] = true;
                    body["filename"] = filename;
                    body["secret"] = roomSecret;
                }
            }
        }
    }

    /// The requests that bring this relay's pictures in line with the room's take now: recording starts for a picture
    /// the take records and stops for one it no longer does.
    public List<JsonObject> Reconcile()
    {
        var requests = new List<JsonObject>();
        lock (_lock)
        {
            foreach (var (handle, publisher) in _publishers)
            {
                var wanted = recordings.RecordingOf(roomId, personId);
                if (publisher.RecordingId is { } running && running != wanted)
                {
                    publisher.RecordingId = null;
                    requests.Add(Configure(publisher.Session, handle, new JsonObject { ["request"] = "configure", ["record"] = false, ["secret"] = roomSecret }));
                }
                if (wanted is not null && publisher.RecordingId is null && Start(publisher) is { } filename)
                {
                    requests.Add(Configure(publisher.Session, handle, new JsonObject
                    {
                        ["request"] = "configure",
                        ["record"] = true,
                        ["filename"] = filename,
                        ["secret"] = roomSecret,
                    }));
                }
            }
        }
        return requests;
    }

    /// True for Janus' answers to the relay's own requests (acknowledgement, event or error): they stay here.
    public bool IsOwn(JsonObject answer)
    {
        if (answer["transaction"] is not JsonValue value || !value.TryGetValue<string>(out var transaction) || !transaction.StartsWith(TransactionPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        if (answer["janus"]?.GetValue<string>() != "ack")
        {
            _own.TryRemove(transaction, out _);
        }
        return true;
    }

    /// Whether a handle's picture is being recorded into a take now (for tests and logs).
    public Guid? RecordingOf(long handle)
    {
        lock (_lock)
        {
            return _publishers.GetValueOrDefault(handle)?.RecordingId;
        }
    }

    private string? Start(Publisher publisher)
    {
        if (recordings.RecordingOf(roomId, personId) is not { } take
            || recordings.BeginFile(roomId, take, personId, publisher.Kind) is not { } filename)
        {
            return null;
        }
        publisher.RecordingId = take;
        return filename;
    }

    private void Stopped(long handle)
    {
        lock (_lock)
        {
            _publishers.Remove(handle);
        }
    }

    private JsonObject Configure(long session, long handle, JsonObject body)
    {
        var transaction = TransactionPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        _own[transaction] = 0;
        return new JsonObject
        {
            ["janus"] = "message",
            ["session_id"] = session,
            ["handle_id"] = handle,
            ["transaction"] = transaction,
            ["apisecret"] = apiSecret,
            ["body"] = body,
        };
    }

    private static bool TryGetId(JsonObject message, string name, out long id)
    {
        id = 0;
        return message[name] is JsonValue value && value.TryGetValue(out id);
    }

    private sealed class Publisher(long session, VideoKind kind)
    {
        public long Session { get; } = session;

        public VideoKind Kind { get; } = kind;

        /// The take this picture is recorded into now; null when it is not.
        public Guid? RecordingId { get; set; }
    }
}
