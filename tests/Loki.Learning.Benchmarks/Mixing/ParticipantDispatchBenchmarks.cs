using System.Net;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Loki.Learning.Media.Engine;

namespace Loki.Learning.Benchmarks.Mixing;

/// <summary>
/// What the mix loop pays for calling every participant through the abstract <see cref="ParticipantSession"/> instead
/// of knowing its transport: the per-participant calls of one period (read its input, send its mix, check its
/// timeouts) for a room of browser participants, made through the sealed type (the compiler knows the target), through
/// the abstract class (one virtual call each), and with the type tests the loop used to make. Measured with tiered
/// compilation on (the web host) and off (the standalone hub: no dynamic PGO, so no guarded devirtualisation).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TieredAndNot))]
public class ParticipantDispatchBenchmarks
{
    private const int Frames = 128;
    private MixInbox _inbox = null!;
    private MixOutbox _outbox = null!;
    private MixState _state = null!;
    private ParticipantSession[] _sessions = [];
    private ExternalSession[] _sealed = [];

    [Params(128)]
    public int Participants { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _inbox = new MixInbox(16);
        _outbox = new MixOutbox(new EventOutbox(Channel.CreateUnbounded<MediaEvent>().Writer), this, () => 0);
        var options = new MediaEngineOptions { BindAddress = IPAddress.Loopback, PortableReceive = true, MaxParticipantsPerRoom = Participants };
        _state = new MixState(options, TimeProvider.System, _inbox, _outbox, new Admissions(Participants));
        for (var id = 1; id <= Participants; id++)
        {
            var level = new InputLevelMeter(InputLevelMeter.WindowPeriodsFor(Frames, 48000));
            var external = new ExternalParticipant(id, 2, Frames, 48000, TimeProvider.System, level, _inbox.Detach);
            _inbox.Attach(new ExternalSession(external, $"p{id}", "bench", new IPEndPoint(IPAddress.Loopback, 0), 0));
        }
        _state.AttachPending();
        _sessions = [.. _state.Sessions];
        _sealed = [.. _sessions.Cast<ExternalSession>()];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _state.Dispose();
        _outbox.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void ThroughTheSealedType()
    {
        foreach (var session in _sealed)
        {
            session.ReadInput(Frames, 0);
            session.Send(Frames, 0);
            session.CheckTimeout(_state, 0);
        }
    }

    [Benchmark]
    public void ThroughTheAbstractClass()
    {
        foreach (var session in _sessions)
        {
            session.ReadInput(Frames, 0);
            session.Send(Frames, 0);
            session.CheckTimeout(_state, 0);
        }
    }

    [Benchmark]
    public void WithTypeTests()
    {
        foreach (var session in _sessions)
        {
            session.ReadInput(Frames, 0);
            if (session is ExternalSession external)
            {
                external.Send(Frames, 0);
                external.CheckTimeout(_state, 0);
            }
            else if (session is JackTripSession udp)
            {
                udp.Send(Frames, 0);
                udp.CheckTimeout(_state, 0);
            }
        }
    }

    private sealed class TieredAndNot : ManualConfig
    {
        public TieredAndNot()
        {
            AddJob(Job.ShortRun.WithId("tiered (web host)"));
            AddJob(Job.ShortRun.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TieredCompilation", "0")).WithId("tiering off (hub)"));
        }
    }
}
