using Loki.Learning.Web.Features.Rooms;

namespace Loki.Learning.Web.Tests.Rooms;

/// "Your sound reaches the others in ≈ N ms": the way up as the server measured it, the way down as this browser did.
public sealed class SoundReachTests
{
    private static RosterEntry Me(AudioVia via = AudioVia.Browser, bool connected = true, double? oneWayMs = 1.5, double jitterMs = 4) =>
        new("p1", "Tove", RoomRole.Host, HandRaised: false, Muted: false, Gain: 1, AudioConnected: connected, OneWayMs: oneWayMs, JitterMs: jitterMs, Via: via);

    [Fact]
    public void TheFigureAddsTheMicrophoneTheWayUpTheJitterBufferHalfAPeriodAndTheWayDown()
    {
        var estimate = SoundReach.Estimate(Me(), inputMs: 10, downMs: 20);

        // 10 + 1.5 + 4 + 1.33 + 20
        Assert.NotNull(estimate);
        Assert.Equal(36.83, estimate.Value, 2);
    }

    [Fact]
    public void WithoutTheServersOneWayFigureTheBrowsersHalfRoundTripStandsIn()
    {
        Assert.Equal(36.83, SoundReach.Estimate(Me(oneWayMs: null), inputMs: 10, downMs: 20, upMs: 1.5)!.Value, 2);
        Assert.Null(SoundReach.Estimate(Me(oneWayMs: null), inputMs: 10, downMs: 20));
    }

    [Fact]
    public void NobodyConnectedThroughJackTripOrNotAtAllIsShownAFigure()
    {
        Assert.Null(SoundReach.Estimate(Me(via: AudioVia.JackTrip), 10, 20));
        Assert.Null(SoundReach.Estimate(Me(connected: false), 10, 20));
        Assert.Null(SoundReach.Estimate(null, 10, 20));
        Assert.Null(SoundReach.Estimate(Me(), inputMs: null, downMs: 20));
        Assert.Null(SoundReach.Estimate(Me(), inputMs: 10, downMs: null));
    }
}
