using Loki.Learning.Media.EngineControl;

namespace Loki.Learning.Media.Tests.EngineControl;

/// A browser participant's frames on the control channel (protocol version 3, types 13–15): each crosses unchanged, and
/// every cut-short, overlong or random body is refused with a protocol error only.
public sealed class BrowserControlTests
{
    private static readonly BrowserRingRequest Request = new(
        "7f0c1e2d3a4b4c5d9e8f7a6b5c4d3e2f", "browser:7f0c1e2d:e1c9a2b4f6d8", 1, "/run/user/1000/loki-engine-abc/browser-1-9a8b.ring", 0xFEDC_BA98_7654_3210);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AnAttachCrossesWithItsNameChannelsPathAndAGenerationOfAllSixtyFourBits(int channels)
    {
        var request = Request with { Channels = channels };
        var frame = BrowserControl.AttachFrame(new ControlWriter(), request).ToArray();

        Assert.Equal(ControlMessage.AttachBrowser, (ControlMessage)frame[ControlChannel.HeaderLength]);
        var reader = Body(frame);
        Assert.Equal(request, BrowserControl.ReadAttach(ref reader));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void AnAttachForOtherThanOneOrTwoChannelsIsRefused(int channels)
    {
        var frame = BrowserControl.AttachFrame(new ControlWriter(), Request with { Channels = channels }).ToArray();

        Assert.False(Decodes(frame.AsSpan(ControlChannel.HeaderLength).ToArray()));
    }

    [Fact]
    public void AnAttachThatNamesNoRoomIsRefused()
    {
        var frame = BrowserControl.AttachFrame(new ControlWriter(), Request with { RoomId = "" }).ToArray();

        Assert.False(Decodes(frame.AsSpan(ControlChannel.HeaderLength).ToArray()));
    }

    [Fact]
    public void ADetachCrossesWithItsRoomAndPath()
    {
        var frame = BrowserControl.DetachFrame(new ControlWriter(), "room", "/x/browser-2-ab.ring").ToArray();

        Assert.Equal(ControlMessage.DetachBrowser, (ControlMessage)frame[ControlChannel.HeaderLength]);
        var reader = Body(frame);
        Assert.Equal(("room", "/x/browser-2-ab.ring"), BrowserControl.ReadDetach(ref reader));
    }

    [Theory]
    [InlineData(1_000_042, null)]
    [InlineData(0, "the path is outside the node's private folder")]
    public void AnAnswerCrossesWithItsParticipantOrItsRefusal(int participantId, string? refusal)
    {
        var answer = new BrowserRingAnswer(Request.RoomId, Request.Path, Request.Generation, participantId, refusal);

        var reader = Body(BrowserControl.AnswerFrame(new ControlWriter(), answer).ToArray());

        Assert.Equal(answer, BrowserControl.ReadAnswer(ref reader));
    }

    [Fact]
    public void AnAnswerThatAttachedNobodyOrRefusedSomebodyIsRefused()
    {
        var writer = new ControlWriter();
        // Built by hand: the writer itself never puts an id beside a refusal.
        writer.Begin(ControlMessage.BrowserAnswer);
        writer.String("room");
        writer.String("/x/browser-1-a.ring");
        writer.Int64(7);
        writer.Int32(12);
        writer.Bool(true);
        writer.String("refused");
        var both = writer.End().ToArray();
        var neither = BrowserControl.AnswerFrame(writer, new BrowserRingAnswer("room", "/x/browser-1-a.ring", 7, 0, null)).ToArray();
        writer.Begin(ControlMessage.BrowserAnswer);
        writer.String("room");
        writer.String("/x/browser-1-a.ring");
        writer.Int64(7);
        writer.Int32(-5);
        writer.Bool(false);
        var negative = writer.End().ToArray();

        Assert.False(Decodes(both.AsSpan(ControlChannel.HeaderLength).ToArray()));
        Assert.False(Decodes(neither.AsSpan(ControlChannel.HeaderLength).ToArray()));
        Assert.False(Decodes(negative.AsSpan(ControlChannel.HeaderLength).ToArray()));
    }

    /// Every prefix of every frame, a byte left over, and random bodies of the three types: a protocol error or a
    /// decoded frame, never another exception.
    [Fact]
    public void TruncatedAndRandomBodiesAreRefusedWithAProtocolErrorAndNothingElse()
    {
        var writer = new ControlWriter();
        byte[][] frames =
        [
            BrowserControl.AttachFrame(writer, Request).ToArray(),
            BrowserControl.DetachFrame(writer, "room", "/x/browser-2-ab.ring").ToArray(),
            BrowserControl.AnswerFrame(writer, new BrowserRingAnswer("room", "/x/b.ring", 7, 0, "refused")).ToArray(),
            BrowserControl.AnswerFrame(writer, new BrowserRingAnswer("room", "/x/b.ring", 7, 99, null)).ToArray(),
        ];
        foreach (var frame in frames)
        {
            var body = frame.AsSpan(ControlChannel.HeaderLength).ToArray();
            Assert.True(Decodes(body));
            for (var cut = 1; cut < body.Length; cut++)
            {
                Assert.False(Decodes(body[..cut]), $"a {(ControlMessage)body[0]} cut to {cut} of {body.Length} bytes decoded");
            }
            Assert.False(Decodes([.. body, 0]), $"a {(ControlMessage)body[0]} with a byte left over decoded");
        }
        var random = new Random(1713);
        var decoded = 0;
        for (var i = 0; i < 5000; i++)
        {
            var body = new byte[random.Next(1, 160)];
            random.NextBytes(body);
            body[0] = (byte)random.Next(13, 16);
            decoded += Decodes(body) ? 1 : 0;
        }
        Assert.True(decoded < 5000, "every random body decoded");
    }

    private static ControlReader Body(byte[] frame) => new(frame.AsSpan(ControlChannel.HeaderLength + 1));

    /// Decodes a body as the engine host and the node do; a refusal must be a protocol error.
    private static bool Decodes(byte[] body)
    {
        try
        {
            var reader = new ControlReader(body.AsSpan(1));
            switch ((ControlMessage)body[0])
            {
                case ControlMessage.AttachBrowser:
                    BrowserControl.ReadAttach(ref reader);
                    break;
                case ControlMessage.DetachBrowser:
                    BrowserControl.ReadDetach(ref reader);
                    break;
                default:
                    BrowserControl.ReadAnswer(ref reader);
                    break;
            }
            return true;
        }
        catch (ControlProtocolException)
        {
            return false;
        }
    }
}
