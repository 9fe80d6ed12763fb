using Loki.Learning.Media.Engine;

namespace Loki.Learning.Media.Tests.Engine;

public sealed class PeriodPacerTests
{
    [Fact]
    public void APeriodThatStartsMoreThanAPeriodLateIsCountedAndCaughtUp()
    {
        var pacer = new PeriodPacer(128, 48000); // 2.67 ms
        pacer.WaitForNextPeriod();
        pacer.WaitForNextPeriod();
        var onTime = pacer.LatePeriods;

        // A stalled period: the next deadlines have passed by about 7.5 periods, which the pacer runs back to back.
        Thread.Sleep(20);
        for (var i = 0; i < 12; i++)
        {
            pacer.WaitForNextPeriod();
        }

        // About six of the catch-up periods start more than a period late; a slower machine only adds to them.
        Assert.True(pacer.LatePeriods - onTime >= (pacer.Resynchronisations == 0 ? 5 : 1), $"{pacer.LatePeriods - onTime} late periods counted");
    }

    [Fact]
    public void FallingFarBehindRestartsTheScheduleInsteadOfFloodingClients()
    {
        var pacer = new PeriodPacer(128, 48000);
        pacer.WaitForNextPeriod();

        Thread.Sleep(150); // more than 40 periods

        pacer.WaitForNextPeriod();
        Assert.Equal(1, pacer.Resynchronisations);
    }
}
