using System.Text.Json.Nodes;

namespace Loki.Learning.Web.Tests.Video;

/// Video carries pictures only. A member's own client could offer Janus a sound or a data section beside its camera,
/// and Janus would forward it to every subscriber: sound past the host's mute and the room's mix, data past
/// everything. The relay refuses such an offer before Janus sees it.
public sealed partial class VideoRelayTests
{
    /// An offer as a browser makes one (ICE, DTLS, one BUNDLE), with the sections asked for.
    private static JsonObject OfferWith(params string[] sections)
    {
        var sdp = new System.Text.StringBuilder(
            "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
            $"a=group:BUNDLE {string.Join(' ', Enumerable.Range(0, sections.Length))}\r\na=msid-semantic: WMS\r\n");
        for (var mid = 0; mid < sections.Length; mid++)
        {
            sdp.Append(sections[mid] switch
            {
                "audio" => "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
                "video" => "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
                "application" => "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n",
                var other => throw new ArgumentException(other),
            });
            sdp.Append("c=IN IP4 0.0.0.0\r\na=ice-ufrag:Lk7q\r\na=ice-pwd:9sKvXl2Yb3Pq8RtZa1Wc4Ned\r\na=ice-options:trickle\r\n")
                .Append("a=fingerprint:sha-256 ").Append(string.Join(':', Enumerable.Range(0, 32).Select(i => (i * 7 % 256).ToString("X2")))).Append("\r\n")
                .Append($"a=setup:actpass\r\na=mid:{mid}\r\n");
            sdp.Append(sections[mid] switch
            {
                "audio" => "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n",
                "video" => "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n",
                _ => "a=sctp-port:5000\r\na=max-message-size:262144\r\n",
            });
        }
        return new JsonObject { ["type"] = "offer", ["sdp"] = sdp.ToString() };
    }

    private static async Task<JsonObject?> OfferAsync(JanusTestClient client, long handle, string request, JsonObject offer) =>
        await client.RequestAsync(new JsonObject
        {
            ["janus"] = "message", ["session_id"] = client.SessionId, ["handle_id"] = handle,
            ["body"] = new JsonObject { ["request"] = request }, ["jsep"] = offer,
        });

    private static async Task<string?> OfferRefusalAsync(JanusTestClient client, long handle, string request, JsonObject offer)
    {
        var answer = await OfferAsync(client, handle, request, offer);
        return RefusalOf(answer?["plugindata"]?["data"] as JsonObject ?? answer);
    }

    [Fact]
    public async Task AMemberWhoOffersSoundOrDataThroughVideoIsRefusedAndAPictureStillGoesThrough()
    {
        var (teacher, teacherBearer, pupil, pupilBearer, roomId) = await BothInANewRoomAsync();
        await GiveVideoConsentAsync(await PupilIdAsync(), true);
        await using var host = await RelayAsync(teacherBearer, roomId, (await VideoTokenAsync(teacher, roomId))["token"]!.GetValue<string>());
        await using var client = await RelayAsync(pupilBearer, roomId, (await VideoTokenAsync(pupil, roomId))["token"]!.GetValue<string>());
        var handle = await client.AttachAsync();
        Assert.Equal("joined", (await client.VideoRoomAsync(handle, JoinAs("camera")))["videoroom"]?.GetValue<string>());

        // The attack: the camera's publish with a microphone beside it, with a data channel, and sound alone as a
        // renegotiation.
        Assert.Equal("Video.Refusal.OnlyPictures", await OfferRefusalAsync(client, handle, "publish", OfferWith("video", "audio")));
        Assert.Equal("Video.Refusal.OnlyPictures", await OfferRefusalAsync(client, handle, "publish", OfferWith("video", "application")));
        Assert.Equal("Video.Refusal.OnlyPictures", await OfferRefusalAsync(client, handle, "configure", OfferWith("audio")));
        Assert.Equal("Video.Refusal.Malformed", await OfferRefusalAsync(client, handle, "publish", new JsonObject { ["type"] = "offer" }));

        // The camera alone is what a page offers, and Janus answers it with a picture only.
        var published = await OfferAsync(client, handle, "publish", OfferWith("video"));
        Assert.Equal("ok", published?["plugindata"]?["data"]?["configured"]?.GetValue<string>());
        var answer = published!["jsep"]!["sdp"]!.GetValue<string>();
        Assert.Contains("m=video 9", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("m=audio", answer, StringComparison.Ordinal);

        // A renegotiation that turns a sound section off (port 0) sends nothing and is not refused by the relay.
        var turnedOff = OfferWith("video", "audio");
        turnedOff["sdp"] = turnedOff["sdp"]!.GetValue<string>().Replace("m=audio 9 ", "m=audio 0 ", StringComparison.Ordinal);
        Assert.NotEqual("Video.Refusal.OnlyPictures", await OfferRefusalAsync(client, handle, "configure", turnedOff));
    }
}
