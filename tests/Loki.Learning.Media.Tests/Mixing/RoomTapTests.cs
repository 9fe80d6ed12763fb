using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.Mixing;

public sealed class RoomTapTests
{
    private sealed class CountingTap(bool throws = false) : IRoomTap
    {
        public int Periods;
        public float LastMixSample;
        public int Detached;
        public double LastEpochMs;

        public void OnPeriod(MixingRoom room, double periodEpochMs)
        {
            if (throws)
            {
                throw new InvalidOperationException("broken tap");
            }
            Periods++;
            LastMixSample = room.RoomMix[0];
            LastEpochMs = periodEpochMs;
        }

        public void OnDetached() => Detached++;
    }

    [Fact]
    public void ATapSeesEveryPeriodsRoomMixUntilItIsDetached()
    {
        var room = new MixingRoom("room", 4);
        var source = room.AddParticipant(1, 1, 1)!;
        source.Input.Fill(0.5f);
        source.HasInput = true;
        var tap = new CountingTap();
        Assert.True(room.AddTap(tap));
        Assert.False(room.AddTap(tap));

        room.Mix(1000);
        room.Mix(1000.0 + (4000.0 / 48000));

        Assert.Equal(2, tap.Periods);
        Assert.Equal(0.5f, tap.LastMixSample);
        Assert.True(room.RemoveTap(tap));
        room.Mix(2000);
        Assert.Equal((2, 1), (tap.Periods, tap.Detached));
    }

    [Fact]
    public void ATapThatThrowsIsDetachedAndTheMixGoesOn()
    {
        var room = new MixingRoom("room", 4);
        var listener = room.AddParticipant(1, 1, 1)!;
        var source = room.AddParticipant(2, 1, 1)!;
        source.Input.Fill(0.25f);
        source.HasInput = true;
        var broken = new CountingTap(throws: true);
        var healthy = new CountingTap();
        room.AddTap(broken);
        room.AddTap(healthy);

        room.Mix(0);
        room.Mix(0);

        Assert.Equal(1, broken.Detached);
        Assert.Equal(2, healthy.Periods);
        Assert.Equal(0.25f, listener.Output[0]);
        Assert.Equal(1, room.Taps.Length);
    }
}
