using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.Tests.Mixing;

public sealed class PlanarFifoTests
{
    private static float[] Block(int start, int frames, int channels)
    {
        var block = new float[frames * channels];
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < frames; i++)
            {
                block[(c * frames) + i] = ((c + 1) * 100000) + start + i;
            }
        }
        return block;
    }

    [Theory]
    [InlineData(128, 32)]
    [InlineData(128, 64)]
    [InlineData(128, 256)]
    [InlineData(128, 96)]
    [InlineData(32, 256)]
    public void PeriodsAreReblockedIntoPacketsOfAnotherSizeInOrder(int period, int packet)
    {
        var fifo = new PlanarFifo(2, period + packet);
        var written = 0;
        var read = 0;
        var packetBuffer = new float[packet * 2];
        for (var step = 0; step < 40; step++)
        {
            Assert.True(fifo.TryWrite(Block(written, period, 2), period));
            written += period;
            while (fifo.TryRead(packetBuffer, packet))
            {
                Assert.Equal(Block(read, packet, 2), packetBuffer);
                read += packet;
            }
        }
        Assert.Equal(written - read, fifo.Count);
        Assert.True(read >= written - packet);
    }

    [Fact]
    public void AFullFifoRefusesMoreAndAnEmptyOneRefusesReads()
    {
        var fifo = new PlanarFifo(1, 100);

        Assert.False(fifo.TryRead(new float[10], 10));
        Assert.True(fifo.TryWrite(new float[100], 100));
        Assert.False(fifo.TryWrite(new float[1], 1));
        fifo.Clear();
        Assert.Equal(0, fifo.Count);
    }
}
