using Loki.Learning.Media.EngineControl;

namespace Loki.Learning.Media.Tests.EngineControl;

/// The audience ring's frames on the control channel (protocol version 2, types 9–12): each crosses unchanged, and every
/// cut-short or random body is refused with a protocol error only.
public sealed class AudienceControlTests
{
    private static readonly AudienceRingRequest Request = new("7f0c1e2d3a4b4c5d9e8f7a6b5c4d3e2f", "/run/user/1000/loki-engine-abc/audience-7f0c-1.ring", 0xFEDC_BA98_7654_3210);

    [Fact]
    public void AnAttachCrossesWithItsPathAndAGenerationOfAllSixtyFourBits()
    {
        var frame = AudienceControl.AttachFrame(new ControlWriter(), Request).ToArray();

        Assert.Equal(ControlMessage.AttachAudience, (ControlMessage)frame[ControlChannel.HeaderLength]);
        var reader = Body(frame);
        Assert.Equal(Request, AudienceControl.ReadAttach(ref reader));
    }

    [Fact]
    public void ADetachCrossesWithItsRoomAndPath()
    {
        var frame = AudienceControl.DetachFrame(new ControlWriter(), "room", "/x/audience-room-2.ring").ToArray();

        var reader = Body(frame);
        Assert.Equal(("room", "/x/audience-room-2.ring"), AudienceControl.ReadDetach(ref reader));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("the path is outside the node's private folder")]
    public void AnAnswerCrossesWithOrWithoutItsRefusal(string? refusal)
    {
        var answer = new AudienceRingAnswer(Request.RoomId, Request.Path, Request.Generation, refusal);

        var reader = Body(AudienceControl.AnswerFrame(new ControlWriter(), answer).ToArray());

        Assert.Equal(answer, AudienceControl.ReadAnswer(ref reader));
    }

    [Fact]
    public void AMixTimingReportCrossesAndANegativeOneIsRefused()
    {
        var report = new MixTimingReport(375_000, 12, TimeSpan.FromMilliseconds(8.25), 3);
        var writer = new ControlWriter();

        var reader = Body(AudienceControl.MixTimingFrame(writer, report).ToArray());
        Assert.Equal(report, AudienceControl.ReadMixTiming(ref reader));

        var negative = AudienceControl.MixTimingFrame(writer, report with { LongestInterval = TimeSpan.FromTicks(-1) }).ToArray();
        Assert.False(Decodes(negative.AsSpan(ControlChannel.HeaderLength).ToArray()));
    }

    /// Every prefix of every frame, and random bodies of the four types: a protocol error or a decoded frame, never another exception.
    [Fact]
    public void TruncatedAndRandomBodiesAreRefusedWithAProtocolErrorAndNothingElse()
    {
        var writer = new ControlWriter();
        byte[][] frames =
        [
            AudienceControl.AttachFrame(writer, Request).ToArray(),
            AudienceControl.DetachFrame(writer, "room", "/x/audience-room-2.ring").ToArray(),
            AudienceControl.AnswerFrame(writer, new AudienceRingAnswer("room", "/x/a.ring", 7, "refused")).ToArray(),
            AudienceControl.AnswerFrame(writer, new AudienceRingAnswer("room", "/x/a.ring", 7, null)).ToArray(),
            AudienceControl.MixTimingFrame(writer, new MixTimingReport(1, 2, TimeSpan.FromTicks(3), 4)).ToArray(),
        ];
        FrameFuzz.AssertCutAndRandomBodiesAreRefused(frames, Decodes, (byte)ControlMessage.AttachAudience, (byte)ControlMessage.MixTiming, seed: 1709, longest: 120);
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
                case ControlMessage.AttachAudience:
                    AudienceControl.ReadAttach(ref reader);
                    break;
                case ControlMessage.DetachAudience:
                    AudienceControl.ReadDetach(ref reader);
                    break;
                case ControlMessage.AudienceAnswer:
                    AudienceControl.ReadAnswer(ref reader);
                    break;
                default:
                    AudienceControl.ReadMixTiming(ref reader);
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
