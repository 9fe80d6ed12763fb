using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;

namespace Loki.Learning.Web.Tests.Video;

/// How many pictures one relay connection may have Janus send it: a member who asks for the teacher's camera again and
/// again, or for every camera through several subscriber handles, would make the node forward each copy; the relay
/// counts what each connection receives and refuses beyond <see cref="VideoOptions.PicturesPerConnection"/>.
public sealed class RelayPictureLimitTests
{
    private const long Session = 11;

    private readonly JanusRelayRules _rules = new(
        new VideoTicket(Guid.NewGuid(), "pupil", RoomRole.Performer, MayUseCamera: true, MayShareScreen: false, DateTime.UtcNow.AddMinutes(5), Node: ""),
        "janus-room", "pin", "api-secret", maxPictures: 4);

    private int _transactions;

    public RelayPictureLimitTests()
    {
        Assert.Null(_rules.Check(new JsonObject { ["janus"] = "create", ["transaction"] = "c" }, out _));
        _rules.Observe(new JsonObject { ["janus"] = "success", ["transaction"] = "c", ["data"] = new JsonObject { ["id"] = Session } });
    }

    private long Attach(long handle)
    {
        var transaction = $"a{handle}";
        Assert.Null(_rules.Check(new JsonObject { ["janus"] = "attach", ["transaction"] = transaction, ["session_id"] = Session, ["plugin"] = JanusRelayRules.VideoRoomPlugin }, out _));
        _rules.Observe(new JsonObject { ["janus"] = "success", ["transaction"] = transaction, ["data"] = new JsonObject { ["id"] = handle } });
        return handle;
    }

    private string? Ask(long handle, JsonObject body) => _rules.Check(new JsonObject
    {
        ["janus"] = "message", ["transaction"] = $"m{++_transactions}", ["session_id"] = Session, ["handle_id"] = handle, ["body"] = body,
    }, out _);

    private static JsonArray Feeds(params string[] feeds) => [.. feeds.Select(feed => (JsonNode)new JsonObject { ["feed"] = feed })];

    private string? JoinAsSubscriber(long handle, params string[] feeds) =>
        Ask(handle, new JsonObject { ["request"] = "join", ["ptype"] = "subscriber", ["streams"] = Feeds(feeds) });

    [Fact]
    public void AskingForTheSameCameraTwiceIsRefusedInAJoinAndInALaterSubscribe()
    {
        Assert.Equal("Video.Refusal.TooManyPictures", JoinAsSubscriber(Attach(1), "camera-teacher", "camera-teacher"));

        var handle = Attach(2);
        Assert.Null(JoinAsSubscriber(handle, "camera-teacher"));
        Assert.Equal("Video.Refusal.TooManyPictures", Ask(handle, new JsonObject { ["request"] = "subscribe", ["streams"] = Feeds("camera-teacher") }));
        Assert.Equal("Video.Refusal.TooManyPictures", Ask(handle, new JsonObject { ["request"] = "update", ["subscribe"] = Feeds("camera-teacher") }));
    }

    [Fact]
    public void AConnectionReceivesAtMostItsLimitAcrossAllItsSubscriberHandlesAndWhatItGivesBackCountsAgain()
    {
        var first = Attach(1);
        var second = Attach(2);
        Assert.Null(JoinAsSubscriber(first, "camera-a", "camera-b", "camera-c"));
        // A second handle cannot take the connection past its limit either.
        Assert.Equal("Video.Refusal.TooManyPictures", JoinAsSubscriber(second, "camera-d", "camera-e"));
        Assert.Null(JoinAsSubscriber(second, "camera-d"));
        Assert.Equal("Video.Refusal.TooManyPictures", Ask(first, new JsonObject { ["request"] = "subscribe", ["streams"] = Feeds("camera-e") }));

        // Turning the page: one given back, one more taken, in one update or in two steps.
        Assert.Null(Ask(first, new JsonObject { ["request"] = "update", ["unsubscribe"] = Feeds("camera-a"), ["subscribe"] = Feeds("camera-e") }));
        Assert.Null(Ask(first, new JsonObject { ["request"] = "unsubscribe", ["streams"] = Feeds("camera-b") }));
        Assert.Null(Ask(first, new JsonObject { ["request"] = "subscribe", ["streams"] = Feeds("camera-f") }));
        // A handle detached gives back all it received.
        Assert.Null(_rules.Check(new JsonObject { ["janus"] = "detach", ["transaction"] = "d", ["session_id"] = Session, ["handle_id"] = second }, out _));
        Assert.Null(Ask(first, new JsonObject { ["request"] = "subscribe", ["streams"] = Feeds("camera-g") }));
        Assert.Equal("Video.Refusal.TooManyPictures", Ask(first, new JsonObject { ["request"] = "subscribe", ["streams"] = Feeds("camera-h") }));
    }

    [Fact]
    public void StreamsThatNameNoFeedAndPublishersThatSubscribeAreRefused()
    {
        var handle = Attach(1);
        Assert.Equal("Video.Refusal.Malformed", Ask(handle, new JsonObject { ["request"] = "join", ["ptype"] = "subscriber", ["streams"] = new JsonArray(new JsonObject { ["mid"] = "0" }) }));
        Assert.Equal("Video.Refusal.Malformed", Ask(handle, new JsonObject { ["request"] = "join", ["ptype"] = "subscriber", ["streams"] = "camera-a" }));
        Assert.Null(JoinAsSubscriber(handle));
        Assert.Equal("Video.Refusal.Malformed", Ask(handle, new JsonObject { ["request"] = "subscribe", ["streams"] = new JsonArray(new JsonObject { ["feed"] = 5 }) }));

        var publisher = Attach(2);
        Assert.Null(Ask(publisher, new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" }));
        Assert.Equal("Video.Refusal.RequestNotAllowed", Ask(publisher, new JsonObject { ["request"] = "subscribe", ["streams"] = Feeds("camera-a") }));
    }
}
