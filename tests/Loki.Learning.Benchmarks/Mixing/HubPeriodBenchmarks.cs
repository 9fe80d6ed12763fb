using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Benchmarks.Mixing;

/// <summary>
/// The hub's whole per-period data path for a 32-participant room, without sockets: parse and decode each
/// participant's datagram, put it in its jitter buffer, read one period out, mix, and encode every personal mix
/// (the engine's own loop adds the socket calls and bookkeeping on top).
/// Divide by the participant count for the cost per client per period.
/// </summary>
[MemoryDiagnoser]
public class HubPeriodBenchmarks
{
    private const int Frames = 128;
    private MixingRoom _room = null!;
    private JitterBuffer[] _jitter = [];
    private JackTripPacketEncoder[] _uplinks = [];
    private JackTripPacketEncoder[] _downlinks = [];
    private byte[][] _incoming = [];
    private byte[] _outgoing = [];
    private float[] _planar = [];
    private float[] _decoded = [];
    private ushort _sequence;
    private long _arrival;

    [Params(32)]
    public int Participants { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _room = new MixingRoom("bench", Frames, capacity: 64);
        _jitter = new JitterBuffer[Participants];
        _uplinks = new JackTripPacketEncoder[Participants];
        _downlinks = new JackTripPacketEncoder[Participants];
        _incoming = new byte[Participants][];
        _planar = new float[2 * Frames];
        _decoded = new float[2 * Frames];
        for (var i = 0; i < _planar.Length; i++)
        {
            _planar[i] = 0.01f * MathF.Sin(0.05f * i);
        }
        for (var id = 0; id < Participants; id++)
        {
            _room.AddParticipant(id, 2, 2);
            _jitter[id] = new JitterBuffer(2, Frames, new JitterBufferOptions { TimestampFrequency = 48000 });
            _uplinks[id] = new JackTripPacketEncoder(48000, 16, Frames, 2, 2);
            _downlinks[id] = new JackTripPacketEncoder(48000, 16, Frames, 2, 2);
            _incoming[id] = new byte[_uplinks[id].MaxDatagramLength];
            _uplinks[id].Encode(_planar, 0, _incoming[id]);
        }
        _outgoing = new byte[_downlinks[0].MaxDatagramLength];
        // Warm the buffers so they are playing, as in steady state.
        for (var i = 0; i < 50; i++)
        {
            OnePeriod();
        }
    }

    [Benchmark]
    public void OnePeriod()
    {
        // The arrivals: each client's datagram was encoded once in setup (encoding is the clients' work); only
        // its sequence number (bytes 8–9 of the header) moves on, as a client's next datagram would.
        _arrival += Frames;
        for (var id = 0; id < Participants; id++)
        {
            var datagram = _incoming[id].AsSpan(0, _uplinks[id].PacketLength);
            BinaryPrimitives.WriteUInt16LittleEndian(datagram[8..], _sequence);
            JackTripDatagram.TryParse(datagram, out var info);
            JackTripSampleCodec.Decode(info.PayloadAt(datagram, 0), 16, _decoded);
            _jitter[id].Insert(_sequence, _decoded, _arrival);
        }
        _sequence++;

        var participants = _room.Participants;
        foreach (var participant in participants)
        {
            participant.HasInput = _jitter[participant.Id].Read(participant.Input, Frames);
        }
        _room.Mix();
        foreach (var participant in participants)
        {
            _downlinks[participant.Id].Encode(participant.Output, 0, _outgoing);
        }
    }
}
