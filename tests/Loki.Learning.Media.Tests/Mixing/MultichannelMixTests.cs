using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.Mixing;

/// <summary>A hall or studio sending up to 16 channels, folded down to stereo for everyone else.</summary>
public sealed class MultichannelMixTests
{
    private const int Period = 128;

    private static void Fill(MixParticipant participant, Func<int, float> valueOfChannel)
    {
        for (var c = 0; c < participant.InputChannels; c++)
        {
            participant.Input.Slice(c * Period, Period).Fill(valueOfChannel(c));
        }
        participant.HasInput = true;
    }

    private static float Left(MixParticipant p) => p.Output[0];

    private static float Right(MixParticipant p) => p.Output[Period];

    [Fact]
    public void AnEightChannelSiteIsSpreadEvenlyFromLeftToRightWithTheLoudnessOfAStereoParticipant()
    {
        var room = new MixingRoom("hall", Period);
        var site = room.AddParticipant(1, 8, 2)!;
        var listener = room.AddParticipant(2, 0, 2)!;

        var pans = Enumerable.Range(0, 8).Select(site.ChannelPan).ToArray();
        var gains = Enumerable.Range(0, 8).Select(site.ChannelGain).ToArray();
        Assert.Equal([-1f, -5f / 7, -3f / 7, -1f / 7, 1f / 7, 3f / 7, 5f / 7, 1f], pans, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.All(gains, g => Assert.Equal(MathF.Sqrt(2f / 8), g, 6));

        // One channel at a time: the first is hard left, the last hard right, and the eight together put the same power
        // into left plus right (2) as a stereo participant at unity.
        var power = 0.0;
        for (var channel = 0; channel < 8; channel++)
        {
            Fill(site, c => c == channel ? 1f : 0f);
            room.Mix();
            power += (Left(listener) * (double)Left(listener)) + (Right(listener) * (double)Right(listener));
            if (channel == 0)
            {
                Assert.Equal((0.5f, 0f), (Left(listener), Right(listener)));
            }
            if (channel == 7)
            {
                Assert.Equal(0f, Left(listener), 6);
                Assert.Equal(0.5f, Right(listener), 6);
            }
        }
        Assert.Equal(2.0, power, 5);
    }

    [Fact]
    public void TheHostsPanAndGainPlaceEachChannelForStereoAndMonoListeners()
    {
        var room = new MixingRoom("hall", Period);
        var site = room.AddParticipant(1, 8, 2)!;
        var stereo = room.AddParticipant(2, 0, 2)!;
        var mono = room.AddParticipant(3, 0, 1)!;
        Fill(site, c => 0.1f * (c + 1));

        Assert.True(site.SetChannelMix(0, 1f, 0.5f));   // the first microphone hard right at half level
        Assert.True(site.SetChannelMix(1, 0f, 1f));     // the second in the centre at unity: −3 dB per side
        for (var channel = 2; channel < 8; channel++)
        {
            Assert.True(site.SetChannelMix(channel, -1f, 0f)); // the rest silent
        }
        room.Mix();

        var centre = MathF.Sqrt(0.5f);
        Assert.Equal(0.2f * centre, Left(stereo), 5);
        Assert.Equal((0.1f * 0.5f) + (0.2f * centre), Right(stereo), 5);
        Assert.Equal((Left(stereo) + Right(stereo)) / 2, Left(mono), 5);
    }

    [Fact]
    public void APanOrGainOutOfRangeOrAChannelTheSiteDoesNotSendChangesNothing()
    {
        var room = new MixingRoom("hall", Period);
        var site = room.AddParticipant(1, 3, 2)!;

        Assert.False(site.SetChannelMix(3, 0f, 1f));
        Assert.False(site.SetChannelMix(0, -1.01f, 1f));
        Assert.False(site.SetChannelMix(0, float.PositiveInfinity, 1f));
        Assert.False(site.SetChannelMix(0, 0f, -0.1f));
        Assert.False(site.SetChannelMix(0, 0f, float.NaN));

        Assert.Equal(MixParticipant.DefaultChannelMix(0, 3), (site.ChannelPan(0), site.ChannelGain(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => room.AddParticipant(2, MixParticipant.MaxInputChannels + 1, 2));
    }

    [Fact]
    public void AMultichannelSiteHearsEveryoneElseButNotItselfAndTheListenersGainStillApplies()
    {
        var room = new MixingRoom("hall", Period);
        var site = room.AddParticipant(1, 16, 2)!;
        var pupil = room.AddParticipant(2, 1, 2)!;
        Fill(site, _ => 0.05f);
        Fill(pupil, _ => 0.3f);
        room.SetGain(2, 1, 0.5f); // the pupil turns the hall down

        room.Mix();

        Assert.Equal((0.3f, 0.3f), (Left(site), Right(site)));
        var foldedLeft = Enumerable.Range(0, 16).Sum(c => 0.05f * site.ChannelGain(c) * MathF.Cos((site.ChannelPan(c) + 1) * MathF.PI / 4));
        Assert.Equal(0.5f * foldedLeft, Left(pupil), 5);
    }

    [Fact]
    public void PlacingAChannelOfAStereoParticipantLeavesItsPlainLeftAndRight()
    {
        var room = new MixingRoom("r", Period);
        var duo = room.AddParticipant(1, 2, 2)!;
        var listener = room.AddParticipant(2, 0, 2)!;
        Fill(duo, c => c == 0 ? 0.2f : 0.4f);

        room.Mix();
        Assert.Equal((0.2f, 0.4f), (Left(listener), Right(listener)));

        Assert.True(duo.SetChannelMix(1, -1f, 1f)); // both to the left
        room.Mix();
        Assert.Equal(0.6f, Left(listener), 5);
        Assert.Equal(0f, Right(listener), 5);
    }
}
