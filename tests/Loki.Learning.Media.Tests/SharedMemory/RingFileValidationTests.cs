using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>
/// The other process is not trusted to be sane: a ring file with a bad header is refused with a clear error, and
/// positions or descriptors scribbled over while the rings run never make an end read or write outside the memory.
/// </summary>
public sealed unsafe class RingFileValidationTests : IDisposable
{
    private readonly RingDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheRingDirectoryAndFilesAreTheNodeUsersOnly()
    {
        using var memory = ParticipantRingFile.Create(_files.File("a.ring"), 2, 128, 48000, 1);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_files.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(memory.Path));
        Assert.Throws<IOException>(() => ParticipantRingFile.Create(memory.Path, 2, 128, 48000, 1)); // never reused
    }

    [Theory]
    [InlineData(0, "shorter than its 192-byte header")]
    [InlineData(100, "shorter than its 192-byte header")]
    [InlineData(4096, "the memory holds 4096")]
    public void ATruncatedFileIsRefused(int length, string expected)
    {
        var path = Create();
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, length);
        }

        var refused = Assert.Throws<RingFormatException>(() => SharedParticipantTransport.Open(path, 7));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0x1234L, "Not a ring memory")]
    [InlineData(8, 2L, "layout version 2; this build reads version 1")]
    [InlineData(12, 2L, "holds Audience, not participant rings")]
    [InlineData(16, 3L, "out of bounds: 3 channels")]
    [InlineData(20, 100_000L, "out of bounds")]
    [InlineData(24, -1L, "out of bounds")]
    [InlineData(40, 1L << 40, "the header says 1099511627776")]
    public void AHeaderThatIsNotOursIsRefusedWithAClearError(int offset, long value, string expected)
    {
        var path = Create();
        Poke(path, offset, value, offset is 0 or 40 ? 8 : 4);

        var refused = Assert.Throws<RingFormatException>(() => SharedParticipantTransport.Open(path, 7));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAudienceReaderRefusesParticipantRings()
    {
        var refused = Assert.Throws<RingFormatException>(() => SharedAudienceReader.Open(Create(), 7));

        Assert.Contains("not an audience ring", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomHeadersAreEitherRefusedOrDescribeALayoutInsideTheFile()
    {
        var random = new Random(17);
        var path = Create();
        var original = File.ReadAllBytes(path)[..RingHeader.Length];
        for (var round = 0; round < 2000; round++)
        {
            var header = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                // Mostly the fields the layout is computed from; now and then any byte of the three lines.
                var at = random.Next(4) == 0 ? random.Next(RingHeader.Length) : random.Next(8, 56);
                header[at] = (byte)random.Next(256);
            }
            using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                RandomAccess.Write(file, header, 0);
            }
            try
            {
                using var transport = SharedParticipantTransport.Open(path, BitConverter.ToUInt64(header, 48));
                // Accepted: a layout that fits in the file; its end works on it (refusing blocks if the engine's line says closed).
                Assert.InRange(transport.Channels, 1, 2);
                var left = transport.HasLeft;
                Assert.Equal(!left, transport.WriteInput((uint)round, 0, new float[2 * transport.Channels]));
                Assert.False(transport.TryReadOutput(new float[transport.PeriodFrames * transport.Channels], out _));
            }
            catch (RingFormatException)
            {
            }
        }
    }

    [Fact]
    public void ScribbledPositionsAndDescriptorsNeverMakeAnEndReadOutsideTheMemory()
    {
        var random = new Random(23);
        var layout = ParticipantRingLayout.For(2, 128, 48000);
        var faults = 0;
        for (var round = 0; round < 300; round++)
        {
            using var memory = new PinnedRingMemory(layout.TotalLength);
            layout.Initialize(memory, 0);
            var participant = new ExternalParticipant(1, layout, memory, TimeProvider.System, new InputLevelMeter(1), _ => { });
            var output = new float[256];
            for (var step = 0; step < 200; step++)
            {
                if (random.Next(10) == 0)
                {
                    Scribble(memory, layout, random);
                }
                participant.WriteInput((uint)step, 0, new float[2 * random.Next(1, 1025)]);
                while (participant.TryPeekInput(out var block, out var planar))
                {
                    AssertInside(memory, planar);
                    Assert.InRange(block.Frames, 1, ExternalParticipant.MaxBlockFrames);
                    participant.ReleaseInput();
                }
                participant.PublishOutput(new float[256]);
                while (participant.TryReadOutput(output, out _))
                {
                }
            }
            faults += participant.Fault == RingFault.None ? 0 : 1;
        }
        Assert.True(faults > 0, "the scribbles were never noticed");
    }

    [Fact]
    public void AnAudienceReaderStopsAtAWriterCountThatWentBackwards()
    {
        var path = _files.File("audience.ring");
        using var memory = AudienceRingFile.Create(path, 128, 9);
        var tap = new AudienceTap(memory);
        var room = new MixingRoom("room", 128);
        room.AddTap(tap);
        for (var p = 0; p < 40; p++)
        {
            room.Mix(p);
        }
        using var reader = SharedAudienceReader.Open(path, 9);
        var message = new byte[reader.MessageLength];
        Assert.True(reader.TryEncode(message));

        memory.Int64(AudienceRingLayout.WrittenOffset) = 3;

        Assert.False(reader.TryEncode(message));
        Assert.Equal(RingFault.Position, reader.Fault);
        Assert.True(reader.Detached);
    }

    private static void Scribble(RingMemory memory, ParticipantRingLayout layout, Random random)
    {
        var descriptor = layout.DescriptorsOffset + (random.Next(layout.InputBlocks) * ParticipantRingLayout.DescriptorLength);
        (long Offset, bool Wide)[] fields =
        [
            (ParticipantRingLayout.InputWrittenOffset, true), (ParticipantRingLayout.InputReadOffset, true),
            (ParticipantRingLayout.SamplesReleasedOffset, true), (ParticipantRingLayout.OutputWrittenOffset, true),
            (descriptor + ParticipantRingLayout.DescriptorPosition, true), (descriptor + ParticipantRingLayout.DescriptorFrames, false),
        ];
        var (at, wide) = fields[random.Next(fields.Length)];
        long[] values = [-1, 0, 1, long.MaxValue, long.MinValue, int.MaxValue, random.NextInt64(), memory.Int64(at) + random.Next(-3, 300)];
        var value = values[random.Next(values.Length)];
        if (wide)
        {
            memory.Int64(at) = value;
        }
        else
        {
            memory.Int32(at) = (int)value;
        }
    }

    private static void AssertInside(RingMemory memory, ReadOnlySpan<float> span)
    {
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
        Assert.True(start >= memory.Base && start + (span.Length * sizeof(float)) <= memory.Base + memory.Length, "a span outside the ring memory");
    }

    private string Create()
    {
        var path = _files.File(Guid.NewGuid().ToString("N") + ".ring");
        ParticipantRingFile.Create(path, 2, 128, 48000, 7).Dispose();
        return path;
    }

    private static void Poke(string path, int offset, long value, int size)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(file, BitConverter.GetBytes(value).AsSpan(0, size), offset);
    }
}
