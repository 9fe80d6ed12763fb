using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Media.Tests.Mixing;

public sealed class SteadyStateAllocationTests
{
    private const int Period = 128;

    [Fact]
    public void MixingARoomAllocatesNothingPerPeriodAfterWarmUp()
    {
        var room = new MixingRoom("alloc", Period);
        for (var id = 0; id < 16; id++)
        {
            var participant = room.AddParticipant(id, 1 + (id % 2), 1 + ((id + 1) % 2))!;
            participant.Input.Fill(0.01f * id);
            participant.HasInput = true;
        }
        room.SetGain(3, 4, 0.5f);
        room.Find(5)!.SelfMonitor = true;
        room.Find(6)!.Muted = true;

        room.Mix();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var period = 0; period < 5000; period++)
        {
            room.Mix();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// The whole per-period packet path without sockets: client encode → datagram parse → decode → jitter buffer →
    /// room mix → output re-blocking → hub encode, for a room of clients with different packet sizes.
    /// </summary>
    [Fact]
    public void ThePacketAndMixPathAllocatesNothingPerPeriodAfterWarmUp()
    {
        int[] packetSizes = [128, 64, 256, 128, 32, 128];
        var room = new MixingRoom("alloc", Period);
        var clients = new SimulatedClient[packetSizes.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            clients[i] = new SimulatedClient(i, packetSizes[i], room);
        }

        var clock = 0L;
        for (var period = 0; period < 2000; period++)
        {
            clock = RunPeriod(room, clients, period);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var period = 2000; period < 12000; period++)
        {
            clock = RunPeriod(room, clients, period);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(clock > 0);
        foreach (var client in clients)
        {
            Assert.Equal(0, client.Buffer.Statistics.ConcealedPeriods);
            Assert.True(client.HubPacketsSent > 10000 * Period / client.PacketFrames / 2);
        }
    }

    /// <summary>
    /// The same path for a concert hall sending 8 channels (decode, jitter buffer, fold-down by a pan/gain the host
    /// changed, mix-minus) to stereo and mono listeners, with a recorder writing a track per channel.
    /// </summary>
    [Fact]
    public async Task AnEightChannelSiteFoldedDownAndRecordedAllocatesNothingPerPeriodAfterWarmUp()
    {
        var room = new MixingRoom("alloc", Period);
        var uplink = new JackTripPacketEncoder(48000, 24, Period, 8, 2);
        var buffer = new JitterBuffer(8, Period);
        var site = room.AddParticipant(100, 8, 2)!;
        site.SetChannelMix(3, 0.25f, 0.8f);
        var listeners = new[] { room.AddParticipant(1, 2, 2)!, room.AddParticipant(2, 1, 1)!, room.AddParticipant(3, 0, 2)! };
        room.SetGain(1, 100, 0.7f);
        var audio = new float[8 * Period];
        for (var c = 0; c < 8; c++)
        {
            audio.AsSpan(c * Period, Period).Fill(0.01f * (c + 1));
        }
        var datagram = new byte[uplink.MaxDatagramLength];
        var decoded = new float[8 * Period];
        var folder = Path.Combine(Path.GetTempPath(), $"loki-alloc-{Guid.NewGuid():N}");
        var recorder = new RoomRecorder(folder, Period, maxTracks: 9);
        recorder.Include(100, "hall", 0);
        room.AddTap(recorder);
        try
        {
            void Period8(int period)
            {
                var now = (long)period * Period * TimeSpan.TicksPerSecond / 48000;
                var length = uplink.Encode(audio, (ulong)now, datagram);
                if (JackTripDatagram.TryParse(datagram.AsSpan(0, length), out var info) == JackTripError.None)
                {
                    JackTripSampleCodec.Decode(info.PayloadAt(datagram.AsSpan(0, length), 0), 24, decoded);
                    buffer.Insert(info.SequenceAt(0), decoded, now, measureArrival: true);
                }
                site.HasInput = buffer.Read(site.Input, Period);
                foreach (var listener in listeners)
                {
                    listener.HasInput = true;
                }
                room.Mix();
            }

            for (var period = 0; period < 2000; period++)
            {
                Period8(period);
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var period = 2000; period < 6000; period++)
            {
                Period8(period);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0, allocated);
            Assert.Equal(0, buffer.Statistics.ConcealedPeriods);
            Assert.NotEqual(0f, listeners[0].Output[0]);
        }
        finally
        {
            room.RemoveTap(recorder);
            await recorder.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long RunPeriod(MixingRoom room, SimulatedClient[] clients, int period)
    {
        var now = (long)period * Period * TimeSpan.TicksPerSecond / 48000;
        foreach (var client in clients)
        {
            client.SendDueFrames(period, now);
        }
        foreach (var client in clients)
        {
            client.Participant.HasInput = client.Buffer.Read(client.Participant.Input, Period);
        }
        room.Mix();
        foreach (var client in clients)
        {
            client.SendMix();
        }
        return now;
    }

    private sealed class SimulatedClient
    {
        private readonly JackTripPacketEncoder _uplink;
        private readonly JackTripPacketEncoder _downlink;
        private readonly float[] _packetAudio;
        private readonly float[] _decoded;
        private readonly byte[] _datagram;
        private readonly byte[] _hubDatagram;
        private readonly PlanarFifo _output;
        private long _framesSent;

        public SimulatedClient(int id, int packetFrames, MixingRoom room)
        {
            PacketFrames = packetFrames;
            _uplink = new JackTripPacketEncoder(48000, 16, packetFrames, 2, 2, redundancy: 2);
            _downlink = new JackTripPacketEncoder(48000, 16, packetFrames, 2, 2);
            _packetAudio = new float[packetFrames * 2];
            _packetAudio.AsSpan().Fill(0.01f * (id + 1));
            _decoded = new float[packetFrames * 2];
            _datagram = new byte[_uplink.MaxDatagramLength];
            _hubDatagram = new byte[_downlink.MaxDatagramLength];
            Buffer = new JitterBuffer(2, packetFrames);
            Participant = room.AddParticipant(id, 2, 2)!;
            _output = new PlanarFifo(2, packetFrames + Period);
        }

        public int PacketFrames { get; }

        public JitterBuffer Buffer { get; }

        public MixParticipant Participant { get; }

        public long HubPacketsSent { get; private set; }

        public void SendDueFrames(int period, long now)
        {
            // The client sends whole packets as its own period elapses.
            var due = (long)(period + 1) * Period;
            while (_framesSent + PacketFrames <= due)
            {
                var length = _uplink.Encode(_packetAudio, (ulong)now, _datagram);
                var datagram = _datagram.AsSpan(0, length);
                if (JackTripDatagram.TryParse(datagram, out var info) == JackTripError.None)
                {
                    for (var copy = info.Redundancy - 1; copy >= 0; copy--)
                    {
                        JackTripSampleCodec.Decode(info.PayloadAt(datagram, copy), info.Newest.BitsPerSample, _decoded);
                        Buffer.Insert(info.SequenceAt(copy), _decoded, now, measureArrival: copy == 0);
                    }
                }
                _framesSent += PacketFrames;
            }
        }

        public void SendMix()
        {
            _output.TryWrite(Participant.Output, Period);
            while (_output.TryRead(_packetAudio, PacketFrames))
            {
                _downlink.Encode(_packetAudio, 0, _hubDatagram);
                HubPacketsSent++;
            }
            _packetAudio.AsSpan().Fill(0.01f);
        }
    }
}
