using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.Audience;

/// <summary>The audience tap in one process (its ring in a pinned array): what the broadcaster encodes from it.</summary>
public sealed class AudienceTapTests
{
    [Fact]
    public void EveryBatchOfSixteenPeriodsBecomesOneMessageInOrderWithItsFirstPeriodTime()
    {
        var (room, participant, tap) = Tapped();
        var message = new byte[tap.MessageLength];

        for (var p = 0; p < 40; p++)
        {
            Play(room, participant, p);
        }

        Assert.True(tap.TryEncode(message));
        Assert.True(AudienceFrame.TryReadHeader(message, out var channels, out var frames, out var sequence, out var epochMs));
        Assert.Equal((2, 2048, 0u, 0.0), (channels, frames, sequence, epochMs));
        Assert.True(tap.TryEncode(message));
        Assert.True(AudienceFrame.TryReadHeader(message, out _, out _, out sequence, out epochMs));
        Assert.Equal((1u, 16.0), (sequence, epochMs));
        Assert.Equal(16 + 15, (int)Math.Round(BitConverter.ToInt16(message, AudienceFrame.HeaderLength + (2 * 15 * 128)) / 32.767) - 1);
        Assert.False(tap.TryEncode(message)); // 8 periods wait: not a whole batch
        Assert.Equal(40, tap.Periods);
    }

    [Fact]
    public void AReaderThatFellMoreThanHalfTheRingBehindSkipsToTheNewestBatch()
    {
        var (room, participant, tap) = Tapped();
        var message = new byte[tap.MessageLength];

        for (var p = 0; p < 200; p++)
        {
            Play(room, participant, p);
        }

        Assert.True(tap.TryEncode(message));
        Assert.True(AudienceFrame.TryReadHeader(message, out _, out _, out _, out var epochMs));
        Assert.Equal(184.0, epochMs);
        Assert.Equal(184, tap.SkippedPeriods);
        Assert.False(tap.TryEncode(message));
    }

    private static (MixingRoom Room, MixParticipant Participant, AudienceTap Tap) Tapped()
    {
        var room = new MixingRoom("room", 128);
        var participant = room.AddParticipant(1, 2, 2)!;
        var tap = new AudienceTap();
        room.AddTap(tap);
        return (room, participant, tap);
    }

    /// <summary>One period whose left channel is (p + 1) / 1000 and right the negative, its time p ms.</summary>
    private static void Play(MixingRoom room, MixParticipant participant, int p)
    {
        participant.Input[..128].Fill((p + 1) / 1000f);
        participant.Input[128..].Fill(-(p + 1) / 1000f);
        participant.HasInput = true;
        room.Mix(p);
    }
}
