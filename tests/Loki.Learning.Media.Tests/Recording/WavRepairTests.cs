using System.Buffers.Binary;
using Loki.Learning.Media.Recording;
using NAudio.Wave;

namespace Loki.Learning.Media.Tests.Recording;

public sealed class WavRepairTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loki-wav-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// A 24-bit mono WAV whose header still says "no audio" (as a writer killed before its first flush leaves it),
    /// followed by <paramref name="frames"/> frames and <paramref name="extraBytes"/> of a partial frame.
    private string Unflushed(int frames, int extraBytes = 0)
    {
        var path = Path.Combine(_folder, $"take-{frames}-{extraBytes}.wav");
        using (var writer = new WaveFileWriter(path, new WaveFormat(48000, 24, 1)))
        {
            writer.WriteSamples(Enumerable.Range(0, frames).Select(i => (float)Math.Sin(i / 10.0) * 0.5f).ToArray(), 0, frames);
        }
        var bytes = File.ReadAllBytes(path).ToList();
        bytes.AddRange(new byte[extraBytes]);
        var data = bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 36);
        var dataChunk = data.AsSpan().IndexOf("data"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(dataChunk + 4), 0);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void AFileLeftOpenByACrashGetsItsSizesFromItsLengthAndKeepsEveryWholeFrame()
    {
        var path = Unflushed(48_000, extraBytes: 2);

        var result = WavRepair.Repair(path);

        Assert.Equal(new WavRepairResult(true, 48_000, null), result);
        using var reader = new WaveFileReader(path);
        Assert.Equal(48_000, reader.SampleCount);
        var samples = new float[48_000];
        Assert.Equal(48_000, reader.ToSampleProvider().Read(samples.AsSpan()));
        Assert.Equal(Math.Sin(4000 / 10.0) * 0.5, samples[4000], 3);
    }

    [Fact]
    public void AFileThatIsAlreadyRightIsLeftAlone()
    {
        var path = Path.Combine(_folder, "good.wav");
        using (var writer = new WaveFileWriter(path, new WaveFormat(48000, 24, 2)))
        {
            writer.WriteSamples(new float[2000], 0, 2000);
        }
        var before = File.ReadAllBytes(path);

        Assert.Equal(new WavRepairResult(false, 1000, null), WavRepair.Repair(path));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("RIFF")]
    [InlineData("this is not a wav file at all, just text")]
    public void SomethingThatIsNotAWavIsReportedAndNotTouched(string content)
    {
        var path = Path.Combine(_folder, "junk.wav");
        File.WriteAllText(path, content);

        var result = WavRepair.Repair(path);

        Assert.NotNull(result.Error);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void AMissingFileIsReported() => Assert.NotNull(WavRepair.Repair(Path.Combine(_folder, "gone.wav")).Error);

    [Fact]
    public void TruncatedHeadersAndRandomBytesNeverThrow()
    {
        var good = File.ReadAllBytes(Unflushed(100));
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            var bytes = good[..random.Next(0, good.Length)];
            if (bytes.Length > 0 && random.Next(2) == 0)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var path = Path.Combine(_folder, "fuzz.wav");
            File.WriteAllBytes(path, bytes);
            var result = WavRepair.Repair(path);
            Assert.True(result.Error is not null || result.Frames >= 0);
        }
    }
}
