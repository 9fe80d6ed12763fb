using BenchmarkDotNet.Attributes;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Benchmarks.Mixing;

/// <summary>
/// One period of personal mixes for a full rehearsal room: every participant stereo, 128 frames.
/// "Default gains" is mix-minus for everyone; "personal gains" gives every listener its own gain per source,
/// the expensive case (a weighted sum per listener). "Site channels" makes the first participant a hall or studio
/// that sends that many channels (2: everyone stereo), folded down to stereo by its per-channel pan/gain.
/// </summary>
[MemoryDiagnoser]
public class RoomMixBenchmarks
{
    private MixingRoom _room = null!;

    [Params(32)]
    public int Participants { get; set; }

    [Params(false, true)]
    public bool PersonalGains { get; set; }

    [Params(2, 8, 16)]
    public int SiteChannels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _room = new MixingRoom("bench", 128, capacity: 64);
        for (var id = 0; id < Participants; id++)
        {
            var participant = _room.AddParticipant(id, id == 0 ? SiteChannels : 2, 2)!;
            var input = participant.Input;
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = 0.01f * MathF.Sin(0.05f * (i + id));
            }
            participant.HasInput = true;
        }
        if (PersonalGains)
        {
            for (var listener = 0; listener < Participants; listener++)
            {
                for (var source = 0; source < Participants; source++)
                {
                    _room.SetGain(listener, source, 0.5f + (0.01f * ((listener + source) % 50)));
                }
            }
        }
    }

    [Benchmark]
    public void MixOnePeriod() => _room.Mix();
}
