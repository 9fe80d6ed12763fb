using System.Text.Json.Nodes;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Features.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loki.Learning.Web.Tests.Video;

/// Whose picture Janus records into a take, decided by the relay: only people the take records (the room includes
/// those with recording consent), from their publish or from the moment the take starts, until it stops; a browser
/// cannot ask for a recording itself, and the relay's own requests' answers never reach the page.
public sealed class RelayRecordingTests : IDisposable
{
    private const string Secret = "room-secret";
    private const string ApiSecret = "api-secret";
    private const long Session = 11;
    private const long Handle = 22;

    private readonly string _folder = Directory.CreateTempSubdirectory("loki-video-take-").FullName;
    private readonly VideoRecordings _recordings = new(TimeProvider.System, NullLogger<VideoRecordings>.Instance);
    private readonly Guid _roomId = Guid.NewGuid();
    private readonly Guid _recordingId = Guid.NewGuid();

    private static JsonObject Publish() => new()
    {
        ["janus"] = "message",
        ["transaction"] = "t1",
        ["session_id"] = Session,
        ["handle_id"] = Handle,
        ["body"] = new JsonObject { ["request"] = "publish" },
        ["jsep"] = new JsonObject { ["type"] = "offer", ["sdp"] = "v=0" },
    };

    private static VideoKind? Camera(long handle) => handle == Handle ? VideoKind.Camera : null;

    [Fact]
    public async Task APublishOfSomeoneTheTakeRecordsCarriesTheRecorderIntoTheTakesFolderWithTheRoomSecret()
    {
        await _recordings.StartAsync(_roomId, _recordingId, _folder);
        await _recordings.IncludeAsync(_roomId, _recordingId, "anna", "Anna Berg");
        var relay = new RelayRecording(_recordings, _roomId, "anna", Secret, ApiSecret);
        var publish = Publish();

        relay.Observe(publish, Camera);

        var body = publish["body"]!.AsObject();
        Assert.True(body["record"]!.GetValue<bool>());
        Assert.Equal(Secret, body["secret"]!.GetValue<string>());
        var filename = body["filename"]!.GetValue<string>();
        Assert.Equal(_folder, Path.GetDirectoryName(filename));
        var line = Assert.Single(VideoFileLine.Read(Path.Combine(_folder, VideoFileLine.FileName)));
        Assert.Equal((Path.GetFileName(filename), "anna", "Anna Berg", "camera"), (line.Base, line.PersonId, line.DisplayName, line.Kind));
        Assert.Equal(_recordingId, relay.RecordingOf(Handle));
        // A renegotiation of the same picture keeps its recorder (no second file).
        var renegotiation = Publish();
        renegotiation["body"]!["request"] = "configure";
        relay.Observe(renegotiation, Camera);
        Assert.Null(renegotiation["body"]!["record"]);
        Assert.Empty(relay.Reconcile());
    }

    [Fact]
    public async Task NobodyOutsideTheTakeIsRecordedAndAPictureRunningWhenTheTakeStartsAndStopsIsTurnedOnAndOff()
    {
        var relay = new RelayRecording(_recordings, _roomId, "pupil", Secret, ApiSecret);
        var publish = Publish();
        relay.Observe(publish, Camera);
        Assert.Null(publish["body"]!["record"]);

        // The take starts, but the room has not taken this person in (no consent to be recorded): nothing changes.
        await _recordings.StartAsync(_roomId, _recordingId, _folder);
        await _recordings.IncludeAsync(_roomId, _recordingId, "someone-else", "Someone");
        Assert.Empty(relay.Reconcile());
        Assert.Null(relay.RecordingOf(Handle));

        await _recordings.IncludeAsync(_roomId, _recordingId, "pupil", "Elsa");
        var start = Assert.Single(relay.Reconcile());
        Assert.Equal((Session, Handle, ApiSecret), (start["session_id"]!.GetValue<long>(), start["handle_id"]!.GetValue<long>(), start["apisecret"]!.GetValue<string>()));
        Assert.Equal(("configure", true, Secret), (start["body"]!["request"]!.GetValue<string>(), start["body"]!["record"]!.GetValue<bool>(), start["body"]!["secret"]!.GetValue<string>()));
        Assert.Empty(relay.Reconcile());

        await _recordings.StopAsync(_roomId, _recordingId);
        var stop = Assert.Single(relay.Reconcile());
        Assert.False(stop["body"]!["record"]!.GetValue<bool>());
        Assert.Null(relay.RecordingOf(Handle));

        // Janus' answers to the relay's own requests stay in the relay; the page's own answers pass.
        var transaction = stop["transaction"]!.GetValue<string>();
        Assert.True(relay.IsOwn(new JsonObject { ["janus"] = "ack", ["transaction"] = transaction }));
        Assert.True(relay.IsOwn(new JsonObject { ["janus"] = "event", ["transaction"] = transaction }));
        Assert.False(relay.IsOwn(new JsonObject { ["janus"] = "event", ["transaction"] = "t1" }));

        // An unpublished picture has no recorder to turn on when the next take starts.
        relay.Observe(new JsonObject
        {
            ["janus"] = "message", ["transaction"] = "t2", ["session_id"] = Session, ["handle_id"] = Handle, ["body"] = new JsonObject { ["request"] = "unpublish" },
        }, Camera);
        await _recordings.StartAsync(_roomId, Guid.NewGuid(), _folder);
        Assert.Empty(relay.Reconcile());
    }

    [Fact]
    public void ABrowserCannotAskJanusToRecordOrNameAFile()
    {
        var ticket = new VideoTicket(_roomId, "pupil", RoomRole.Performer, MayUseCamera: true, MayShareScreen: false, DateTime.UtcNow.AddMinutes(5), Node: "");
        var rules = new JanusRelayRules(ticket, "janus-room", "pin", ApiSecret);
        Assert.Null(rules.Check(new JsonObject { ["janus"] = "create", ["transaction"] = "c" }, out _));
        rules.Observe(new JsonObject { ["janus"] = "success", ["transaction"] = "c", ["data"] = new JsonObject { ["id"] = Session } });
        Assert.Null(rules.Check(new JsonObject { ["janus"] = "attach", ["transaction"] = "a", ["session_id"] = Session, ["plugin"] = JanusRelayRules.VideoRoomPlugin }, out _));
        rules.Observe(new JsonObject { ["janus"] = "success", ["transaction"] = "a", ["data"] = new JsonObject { ["id"] = Handle } });
        Assert.Null(rules.Check(new JsonObject
        {
            ["janus"] = "message", ["transaction"] = "j", ["session_id"] = Session, ["handle_id"] = Handle,
            ["body"] = new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["display"] = "camera" },
        }, out _));
        var publish = Publish();
        publish["body"] = new JsonObject { ["request"] = "publish", ["record"] = true, ["filename"] = "/etc/loki", ["secret"] = "guess" };

        Assert.Null(rules.Check(publish, out _));

        Assert.Equal(["request"], publish["body"]!.AsObject().Select(p => p.Key));
        Assert.Equal(VideoKind.Camera, rules.KindOf(Handle));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
