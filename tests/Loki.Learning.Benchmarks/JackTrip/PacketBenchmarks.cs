using BenchmarkDotNet.Attributes;
using Loki.Learning.Media.JackTrip;

namespace Loki.Learning.Benchmarks.JackTrip;

/// <summary>Parse and encode one JackTrip datagram: stereo, 128 frames, at the bit depths clients use.</summary>
[MemoryDiagnoser]
public class PacketBenchmarks
{
    private readonly float[] _planar = new float[2 * 128];
    private readonly float[] _decoded = new float[2 * 128];
    private JackTripPacketEncoder _encoder = null!;
    private byte[] _datagram = [];
    private byte[] _output = [];

    [Params(16, 24)]
    public int Bits { get; set; }

    [Params(1, 2)]
    public int Redundancy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _planar.Length; i++)
        {
            _planar[i] = 0.5f * MathF.Sin(0.03f * i);
        }
        _encoder = new JackTripPacketEncoder(48000, Bits, 128, 2, 2, Redundancy);
        _output = new byte[_encoder.MaxDatagramLength];
        var source = new JackTripPacketEncoder(48000, Bits, 128, 2, 2, Redundancy);
        var length = 0;
        for (var i = 0; i < Redundancy; i++)
        {
            length = source.Encode(_planar, 1, _output);
        }
        _datagram = _output.AsSpan(0, length).ToArray();
    }

    /// <summary>Validate the header and every redundant copy.</summary>
    [Benchmark]
    public int Parse() => JackTripDatagram.TryParse(_datagram, out var info) == JackTripError.None ? info.Redundancy : -1;

    /// <summary>Validate and decode the newest packet's audio to planar floats (what the hub does per datagram).</summary>
    [Benchmark]
    public int ParseAndDecode()
    {
        JackTripDatagram.TryParse(_datagram, out var info);
        return JackTripSampleCodec.Decode(info.PayloadAt(_datagram, 0), Bits, _decoded);
    }

    /// <summary>Encode one period of planar floats into a datagram (what the hub does per listener).</summary>
    [Benchmark]
    public int Encode() => _encoder.Encode(_planar, 1, _output);
}
