using BenchmarkDotNet.Attributes;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Benchmarks.SharedMemory;

/// <summary>
/// One period of a browser participant's two hand-overs (docs/benchmarks.md §8.2): the transport writes a 128-frame
/// stereo block, the mix thread takes it and publishes the period's mix, the transport reads that — through the queues
/// in a pinned array (in-process, as the web node runs today) and through the same queues in a memory-mapped file
/// mapped twice (the engine's end and the web process's end, as two processes map it).
/// </summary>
[MemoryDiagnoser]
public class SharedRingBenchmarks
{
    private const int Frames = 128;
    private readonly float[] _block = new float[2 * Frames];
    private readonly float[] _planar = new float[2 * Frames];
    private readonly float[] _output = new float[2 * Frames];
    private string _directory = "";
    private ExternalParticipant _inProcess = null!;
    private MappedRingMemory _mapping = null!;
    private ExternalParticipant _engine = null!;
    private SharedParticipantTransport _transport = null!;
    private uint _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _inProcess = new ExternalParticipant(1, 2, Frames, 48000, TimeProvider.System, new InputLevelMeter(1), _ => { });
        _directory = MappedRingMemory.PrivateDirectory(Path.Combine(Path.GetTempPath(), "loki-ring-bench-" + Environment.ProcessId));
        var path = Path.Combine(_directory, "p.ring");
        File.Delete(path);
        _mapping = ParticipantRingFile.Create(path, 2, Frames, 48000, 1);
        _engine = new ExternalParticipant(2, ParticipantRingLayout.FromHeader(_mapping), _mapping, TimeProvider.System, new InputLevelMeter(1), _ => { });
        _transport = SharedParticipantTransport.Open(path, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _transport.Dispose();
        _mapping.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public bool InProcess()
    {
        _inProcess.WriteInput(_sequence++, 0, _block);
        _inProcess.TryPeekInput(out _, out _);
        _inProcess.ReleaseInput();
        _inProcess.PublishOutput(_planar);
        return _inProcess.TryReadOutput(_output, out _);
    }

    [Benchmark]
    public bool SharedMemory()
    {
        _transport.WriteInput(_sequence++, 0, _block);
        _engine.TryPeekInput(out _, out _);
        _engine.ReleaseInput();
        _engine.PublishOutput(_planar);
        return _transport.TryReadOutput(_output, out _);
    }
}
