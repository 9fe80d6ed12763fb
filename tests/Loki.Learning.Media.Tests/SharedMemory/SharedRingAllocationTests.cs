using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>Both ends of the shared rings move audio without allocating: no garbage crosses into either process's heap.</summary>
public sealed class SharedRingAllocationTests : IDisposable
{
    private readonly RingDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void WritingReadingAndPublishingBlocksThroughASharedFileAllocatesNothing()
    {
        var path = _files.File("p.ring");
        using var memory = ParticipantRingFile.Create(path, 2, 128, 48000, 3);
        var engine = new ExternalParticipant(1, ParticipantRingLayout.FromHeader(memory), memory, TimeProvider.System, new InputLevelMeter(1), _ => { });
        using var transport = SharedParticipantTransport.Open(path, 3);
        var block = new float[2 * 128];
        var planar = new float[2 * 128];
        var output = new float[2 * 128];
        var sequence = 0u;
        void Round()
        {
            transport.WriteInput(sequence++, 0, block);
            while (engine.TryPeekInput(out _, out _))
            {
                engine.ReleaseInput();
            }
            engine.PublishOutput(planar);
            transport.TryReadOutput(output, out _);
        }
        for (var i = 0; i < 1000; i++)
        {
            Round(); // warm up (tiering)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(11_000u, sequence);
        Assert.Equal(0, transport.DroppedInputBlocks);
    }

    [Fact]
    public void TappingARoomIntoASharedFileAndEncodingItAllocatesNothing()
    {
        var path = _files.File("a.ring");
        using var memory = AudienceRingFile.Create(path, 128, 4);
        var tap = new AudienceTap(memory);
        var room = new MixingRoom("room", 128);
        room.AddTap(tap);
        using var reader = SharedAudienceReader.Open(path, 4);
        var message = new byte[reader.MessageLength];
        var messages = 0;
        void Round(int p)
        {
            room.Mix(p);
            if (reader.TryEncode(message))
            {
                messages++;
            }
        }
        for (var p = 0; p < 1600; p++)
        {
            Round(p);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var p = 0; p < 16_000; p++)
        {
            Round(p);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1100, messages);
    }
}
