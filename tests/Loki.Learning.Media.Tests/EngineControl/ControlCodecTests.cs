using System.Net;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.EngineControl;

public sealed class ControlCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, 123, TimeSpan.Zero);

    public static TheoryData<MediaCommand> Commands() =>
    [
        new OpenRoom("7f0c1e2d3a4b4c5d9e8f7a6b5c4d3e2f"),
        new CloseRoom("room"),
        new AdmitParticipant("room", "hall-ö", 8),
        new AdmitParticipant("room", "desk", null),
        new RevokeAdmission("desk"),
        new RemoveParticipant(41),
        new SetGain(3, 4, 0.5f),
        new SetGain(3, 4, float.NaN),
        new SetMute(9, true),
        new SetSelfMonitor(9, false),
        new SetChannelMix(5, 7, -0.25f, 1.5f),
        new SetPassthrough(5, 6),
        new SetPassthrough(5, null),
        new SetMasterGain("room", 0.8f),
        new SetClickTrack("room", null),
        new SetClick(2, 1f, 12.5),
        new SetJitterPolicy("room", JitterPolicy.Tight),
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandCrossesTheChannelUnchanged(MediaCommand command)
    {
        var decoded = RoundTrip(command);

        Assert.Equal(command, decoded);
    }

    [Fact]
    public void AClickTrackCrossesWithItsTimelineRateAndVolume()
    {
        var track = new ClickTrack([new ClickSegment(0, 1_765_000_000_000.5, 96, 4), new ClickSegment(16, 1_765_000_010_000, 120, 3)], 48000, 0.7f);

        var decoded = Assert.IsType<SetClickTrack>(RoundTrip(new SetClickTrack("room", track)));

        Assert.Equal("room", decoded.RoomId);
        Assert.Equal(track.Segments, decoded.Track!.Segments);
        Assert.Equal(48000, decoded.Track.SampleRate);
        Assert.Equal(0.7f, decoded.Track.Volume);
    }

    [Fact]
    public void TapsHandOverObjectsOfThisProcessAndDoNotCross()
    {
        var tap = new Loki.Learning.Media.Audience.AudienceTap();

        Assert.False(ControlCodec.CanCarry(new AttachTap("room", tap)));
        Assert.False(ControlCodec.CanCarry(new DetachTap("room", tap)));
        Assert.Throws<ArgumentException>(() => ControlCodec.CommandFrame(new ControlWriter(), new AttachTap("room", tap)));
    }

    public static TheoryData<MediaEvent> Events()
    {
        var snapshot = new ParticipantSnapshot(7, "room", "hall", 1000, 3, 990,
            new JitterBufferStatistics(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 256, 384, 812.5, 1500.25),
            new LatencyEstimate(TimeSpan.FromMilliseconds(1.5), TimeSpan.FromMilliseconds(0.8), TimeSpan.FromMilliseconds(5.3), null, TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(9.4)))
        {
            DatagramsFromStrangers = 2,
            ExternalPath = new ExternalPathTimes(0.5, null, 1.25, 2.5),
        };
        return
        [
            new RoomOpened(At, "room"),
            new RoomClosed(At, "room"),
            new ParticipantAdmitted(At, 7, "room", "hall", 61009, TimeSpan.FromMicroseconds(87)),
            new ParticipantAdmitted(At, 8, "room", "desk", 61010, null),
            new ParticipantRefused(At, "mallory", new IPEndPoint(IPAddress.Parse("127.0.0.9"), 50123), "Not admitted."),
            new ParticipantRefused(At, "", new IPEndPoint(IPAddress.IPv6Loopback, 1), "The handshake timed out."),
            new ParticipantJoined(At, 7, "room", "hall", new IPEndPoint(IPAddress.Loopback, 40000), 8, 2, 128),
            new ParticipantLeft(At, 7, "room", "hall", LeaveReason.SilenceTimeout),
            new DatagramRejected(At, 7, JackTripError.ShorterThanHeader, "too short", 12),
            new CommandRejected(At, new SetGain(1, 2, -1f), CommandRefusal.GainOutOfRange),
            new MixThreadScheduling(At, false, 20, "EPERM"),
            new MixThreadPinned(At, 1, null),
            new MixThreadPinned(At, 1, "no such CPU"),
            new EngineError(At, "A handshake connection failed.", null),
            new ParticipantStatistics(At, snapshot),
            new ParticipantStatistics(At, snapshot with { ExternalPath = null }),
            new RoomStatistics(At, "room", 3, TimeSpan.FromMilliseconds(4), new AddedLatencySnapshot(375, TimeSpan.FromMicroseconds(300), TimeSpan.FromMicroseconds(900), TimeSpan.FromMilliseconds(2))),
            new RoomStatistics(At, "room", 0, null, default),
        ];
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void EveryEventCrossesTheChannelUnchanged(MediaEvent mediaEvent)
    {
        var writer = new ControlWriter();
        var frame = ControlCodec.EventFrame(writer, mediaEvent).ToArray();
        var reader = new ControlReader(frame.AsSpan(ControlChannel.HeaderLength + 1));

        var decoded = ControlCodec.ReadEvent(ref reader);
        reader.End("the event");

        Assert.Equal(ControlMessage.Event, (ControlMessage)frame[ControlChannel.HeaderLength]);
        Assert.Equal(frame.Length - ControlChannel.HeaderLength, BitConverter.ToInt32(frame, 0));
        Assert.Equal(mediaEvent, decoded);
    }

    [Fact]
    public void AnEngineErrorCarriesItsExceptionAsText()
    {
        var error = new EngineError(At, "Binding a client's UDP port failed.", new InvalidOperationException("port in use"));
        var frame = ControlCodec.EventFrame(new ControlWriter(), error).ToArray();
        var reader = new ControlReader(frame.AsSpan(ControlChannel.HeaderLength + 1));

        var decoded = Assert.IsType<EngineError>(ControlCodec.ReadEvent(ref reader));

        Assert.Equal(error.Message, decoded.Message);
        Assert.Equal("InvalidOperationException: port in use", decoded.Exception!.Message);
    }

    [Fact]
    public void AdmissionQuestionsAndAnswersCrossWithTheirRequestId()
    {
        var writer = new ControlWriter();
        var question = ControlCodec.AdmissionRequestFrame(writer, 17, new AdmissionRequest("code", new IPEndPoint(IPAddress.Loopback, 5000))).ToArray();
        var reader = new ControlReader(question.AsSpan(ControlChannel.HeaderLength + 1));
        var (id, request) = ControlCodec.ReadAdmissionRequest(ref reader);
        Assert.Equal((17u, "code", 5000), (id, request.ClientName, request.RemoteEndPoint.Port));

        var answer = ControlCodec.AdmissionAnswerFrame(writer, 17, AdmissionDecision.Admit("room", 2)).ToArray();
        reader = new ControlReader(answer.AsSpan(ControlChannel.HeaderLength + 1));
        Assert.Equal((17u, AdmissionDecision.Admit("room", 2)), ControlCodec.ReadAdmissionAnswer(ref reader));
    }

    /// Every prefix of every valid frame, and random bodies, either decode or are refused with a
    /// <see cref="ControlProtocolException"/> naming what was wrong: never another exception.
    [Fact]
    public void TruncatedAndRandomBodiesAreRefusedWithAProtocolErrorAndNothingElse()
    {
        var writer = new ControlWriter();
        var valid = new List<byte[]>();
        foreach (var row in Commands())
        {
            valid.Add(ControlCodec.CommandFrame(writer, row).ToArray());
        }
        foreach (var row in Events())
        {
            valid.Add(ControlCodec.EventFrame(writer, row).ToArray());
        }
        var refused = 0;
        foreach (var frame in valid)
        {
            var body = frame.AsSpan(ControlChannel.HeaderLength);
            for (var cut = 1; cut < body.Length; cut++)
            {
                refused += Decodes(body[..cut].ToArray()) ? 0 : 1;
            }
        }
        var random = new Random(1707);
        for (var i = 0; i < 5000; i++)
        {
            var body = new byte[random.Next(1, 200)];
            random.NextBytes(body);
            body[0] = (byte)random.Next(2, 4); // a command or an event: the kinds with fields to get wrong
            Decodes(body);
        }

        Assert.True(refused > valid.Count, $"only {refused} truncated frames were refused");
    }

    [Fact]
    public void AStringLongerThanTheLimitIsRefused()
    {
        var body = new byte[] { (byte)ControlMessage.Command, 1, 0xFF, 0xFF, (byte)'a' };

        var reader = new ControlReader(body.AsSpan(1));
        ControlProtocolException? refusal = null;
        try
        {
            ControlCodec.ReadCommand(ref reader);
        }
        catch (ControlProtocolException exception)
        {
            refusal = exception;
        }

        Assert.NotNull(refusal);
        Assert.Contains("room id is 65535 bytes long", refusal.Message, StringComparison.Ordinal);
    }

    /// Decodes a body as the engine host and the node do; a refusal must be a protocol error.
    private static bool Decodes(byte[] body)
    {
        try
        {
            var reader = new ControlReader(body.AsSpan(1));
            if ((ControlMessage)body[0] == ControlMessage.Command)
            {
                ControlCodec.ReadCommand(ref reader);
            }
            else
            {
                ControlCodec.ReadEvent(ref reader);
            }
            reader.End("the frame");
            return true;
        }
        catch (ControlProtocolException)
        {
            return false;
        }
    }

    private static MediaCommand RoundTrip(MediaCommand command)
    {
        var frame = ControlCodec.CommandFrame(new ControlWriter(), command).ToArray();
        var reader = new ControlReader(frame.AsSpan(ControlChannel.HeaderLength + 1));
        var decoded = ControlCodec.ReadCommand(ref reader);
        reader.End("the command");
        return decoded;
    }
}
