using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.Mixing;

public sealed class MixingRoomTests
{
    private const int Period = 128;

    private static void Fill(MixParticipant participant, params float[] valuePerChannel)
    {
        for (var c = 0; c < participant.InputChannels; c++)
        {
            participant.Input.Slice(c * Period, Period).Fill(valuePerChannel[c]);
        }
        participant.HasInput = true;
    }

    private static float Left(MixParticipant p) => p.Output[0];

    private static float Right(MixParticipant p) => p.Output[Period];

    [Fact]
    public void EachListenerHearsEveryoneButThemselvesByDefault()
    {
        var room = new MixingRoom("r", Period);
        var a = room.AddParticipant(1, 1, 1)!;
        var b = room.AddParticipant(2, 1, 1)!;
        var c = room.AddParticipant(3, 1, 1)!;
        Fill(a, 0.1f);
        Fill(b, 0.2f);
        Fill(c, 0.4f);

        room.Mix();

        Assert.Equal(0.6f, Left(a), 5);
        Assert.Equal(0.5f, Left(b), 5);
        Assert.Equal(0.3f, Left(c), 5);
        Assert.All(a.Output.ToArray(), s => Assert.Equal(0.6f, s, 5));
    }

    [Fact]
    public void SelfMonitoringAddsTheListenersOwnInput()
    {
        var room = new MixingRoom("r", Period);
        var a = room.AddParticipant(1, 1, 1)!;
        var b = room.AddParticipant(2, 1, 1)!;
        a.SelfMonitor = true;
        Fill(a, 0.1f);
        Fill(b, 0.2f);

        room.Mix();

        Assert.Equal(0.3f, Left(a), 5);
        Assert.Equal(0.1f, Left(b), 5);
    }

    [Fact]
    public void APerListenerGainChangesOnlyThatListenersMix()
    {
        var room = new MixingRoom("r", Period);
        var a = room.AddParticipant(1, 1, 1)!;
        var b = room.AddParticipant(2, 1, 1)!;
        var c = room.AddParticipant(3, 1, 1)!;
        Assert.True(room.SetGain(listenerId: 1, sourceId: 2, gain: 0.5f));
        Fill(a, 0.1f);
        Fill(b, 0.2f);
        Fill(c, 0.4f);

        room.Mix();

        Assert.Equal((0.2f * 0.5f) + 0.4f, Left(a), 5);
        Assert.Equal(0.1f + 0.2f, Left(c), 5);
        Assert.Equal(0.5f, room.GetGain(1, 2));
    }

    [Fact]
    public void AMutedParticipantIsHeardByNobody()
    {
        var room = new MixingRoom("r", Period);
        var a = room.AddParticipant(1, 1, 1)!;
        var b = room.AddParticipant(2, 1, 1)!;
        var c = room.AddParticipant(3, 1, 1)!;
        b.Muted = true;
        Fill(a, 0.1f);
        Fill(b, 0.2f);
        Fill(c, 0.4f);

        room.Mix();

        Assert.Equal(0.4f, Left(a), 5);
        Assert.Equal(0.5f, Left(b), 5);
        Assert.Equal(0.1f, Left(c), 5);
    }

    [Fact]
    public void TheMasterGainScalesEveryMixAndTheRoomMix()
    {
        var room = new MixingRoom("r", Period) { MasterGain = 0.5f };
        var a = room.AddParticipant(1, 1, 1)!;
        var b = room.AddParticipant(2, 1, 1)!;
        Fill(a, 0.2f);
        Fill(b, 0.4f);

        room.Mix();

        Assert.Equal(0.2f, Left(a), 5);
        Assert.Equal(0.1f, Left(b), 5);
        Assert.Equal(0.3f, room.RoomMix[0], 5);
    }

    [Fact]
    public void AMonoSourceIsHeardInBothChannelsOfAStereoListener()
    {
        var room = new MixingRoom("r", Period);
        var mono = room.AddParticipant(1, 1, 1)!;
        var stereo = room.AddParticipant(2, 2, 2)!;
        Fill(mono, 0.3f);
        Fill(stereo, 0.2f, -0.6f);

        room.Mix();

        Assert.Equal(0.3f, Left(stereo), 5);
        Assert.Equal(0.3f, Right(stereo), 5);
        // The mono listener hears the stereo source's channels averaged.
        Assert.Equal(-0.2f, Left(mono), 5);
    }

    [Fact]
    public void StereoSourcesKeepTheirChannelsForStereoListeners()
    {
        var room = new MixingRoom("r", Period);
        var a = room.AddParticipant(1, 2, 2)!;
        var b = room.AddParticipant(2, 2, 2)!;
        Fill(a, 0.1f, 0.2f);
        Fill(b, 0.3f, -0.4f);

        room.Mix();

        Assert.Equal(0.3f, Left(a), 5);
        Assert.Equal(-0.4f, Right(a), 5);
        Assert.Equal(0.1f, Left(b), 5);
        Assert.Equal(0.2f, Right(b), 5);
    }

    [Fact]
    public void AParticipantWithoutInputThisPeriodCountsAsSilence()
    {
        var room = new MixingRoom("r", Period);
        var a = room.AddParticipant(1, 1, 1)!;
        var b = room.AddParticipant(2, 1, 1)!;
        var listener = room.AddParticipant(3, 0, 2)!;
        Fill(a, 0.5f);
        Fill(b, 0.25f);
        b.HasInput = false;

        room.Mix();

        Assert.Equal(0.5f, Left(listener), 5);
        Assert.Equal(0f, Left(a), 5);
    }

    [Fact]
    public void ARemovedParticipantIsNoLongerMixedAndItsSlotStartsAtUnityAgain()
    {
        var room = new MixingRoom("r", Period, capacity: 2);
        var a = room.AddParticipant(1, 1, 1)!;
        room.AddParticipant(2, 1, 1);
        room.SetGain(1, 2, 0f);
        Assert.Null(room.AddParticipant(3, 1, 1));

        Assert.True(room.RemoveParticipant(2));
        var c = room.AddParticipant(3, 1, 1)!;
        Fill(a, 0.1f);
        Fill(c, 0.7f);
        room.Mix();

        Assert.Equal(0.7f, Left(a), 5);
        Assert.Equal(1f, room.GetGain(1, 3));
        Assert.False(room.RemoveParticipant(2));
    }

    [Fact]
    public void InvalidGainsAreRefused()
    {
        var room = new MixingRoom("r", Period);
        room.AddParticipant(1, 1, 1);
        room.AddParticipant(2, 1, 1);

        Assert.False(room.SetGain(1, 2, float.NaN));
        Assert.False(room.SetGain(1, 2, -1f));
        Assert.False(room.SetGain(1, 9, 1f));
    }
}
