using Loki.Learning.Media.Engine;
using Loki.Learning.Media.JackTrip;
using Loki.Learning.Media.Jitter;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// The fields of each <see cref="MediaCommand"/> and <see cref="MediaEvent"/> on the control channel: one kind byte,
/// then the record's fields in declaration order (docs/protocol.md §11). Commands that hand over an object of the
/// node's memory (<see cref="AttachTap"/>, <see cref="DetachTap"/>) do not cross.
/// </summary>
public static class ControlCodec
{
    private enum CommandKind : byte
    {
        OpenRoom = 1,
        CloseRoom,
        AdmitParticipant,
        RevokeAdmission,
        RemoveParticipant,
        SetGain,
        SetMute,
        SetSelfMonitor,
        SetChannelMix,
        SetPassthrough,
        SetMasterGain,
        SetClickTrack,
        SetClick,
        SetJitterPolicy,
    }

    private enum EventKind : byte
    {
        RoomOpened = 1,
        RoomClosed,
        ParticipantAdmitted,
        ParticipantRefused,
        ParticipantJoined,
        ParticipantLeft,
        DatagramRejected,
        CommandRejected,
        MixThreadScheduling,
        MixThreadPinned,
        EngineError,
        ParticipantStatistics,
        RoomStatistics,
    }

    /// <summary>Whether <paramref name="command"/> can cross the channel (it carries no object of the sender's memory).</summary>
    public static bool CanCarry(MediaCommand command) => command is not (AttachTap or DetachTap);

    /// <summary>Writes a whole <see cref="ControlMessage.Command"/> frame.</summary>
    /// <exception cref="ArgumentException">A command that cannot cross (<see cref="CanCarry"/>).</exception>
    public static ReadOnlyMemory<byte> CommandFrame(ControlWriter writer, MediaCommand command)
    {
        writer.Begin(ControlMessage.Command);
        WriteCommand(writer, command);
        return writer.End();
    }

    /// <summary>Writes a whole <see cref="ControlMessage.Event"/> frame.</summary>
    public static ReadOnlyMemory<byte> EventFrame(ControlWriter writer, MediaEvent mediaEvent)
    {
        writer.Begin(ControlMessage.Event);
        WriteEvent(writer, mediaEvent);
        return writer.End();
    }

    /// <summary>Writes a whole <see cref="ControlMessage.Error"/> frame.</summary>
    public static ReadOnlyMemory<byte> ErrorFrame(ControlWriter writer, string text)
    {
        writer.Begin(ControlMessage.Error);
        writer.String(text);
        return writer.End();
    }

    /// <summary>Writes a whole <see cref="ControlMessage.AdmissionRequest"/> frame.</summary>
    public static ReadOnlyMemory<byte> AdmissionRequestFrame(ControlWriter writer, uint requestId, AdmissionRequest request)
    {
        writer.Begin(ControlMessage.AdmissionRequest);
        writer.UInt32(requestId);
        writer.String(request.ClientName);
        writer.EndPoint(request.RemoteEndPoint);
        return writer.End();
    }

    /// <summary>Reads an admission request's fields (after the type byte).</summary>
    public static (uint RequestId, AdmissionRequest Request) ReadAdmissionRequest(ref ControlReader r)
    {
        var id = r.UInt32("request id");
        var request = new AdmissionRequest(r.String("client name"), r.EndPoint("remote"));
        r.End("an admission request");
        return (id, request);
    }

    /// <summary>Writes a whole <see cref="ControlMessage.AdmissionAnswer"/> frame.</summary>
    public static ReadOnlyMemory<byte> AdmissionAnswerFrame(ControlWriter writer, uint requestId, AdmissionDecision decision)
    {
        writer.Begin(ControlMessage.AdmissionAnswer);
        writer.UInt32(requestId);
        writer.Bool(decision.Admitted);
        writer.String(decision.RoomId);
        writer.OptionalInt32(decision.Channels);
        return writer.End();
    }

    /// <summary>Reads an admission answer's fields (after the type byte).</summary>
    public static (uint RequestId, AdmissionDecision Decision) ReadAdmissionAnswer(ref ControlReader r)
    {
        var id = r.UInt32("request id");
        var decision = new AdmissionDecision(r.Bool("admitted"), r.String("room id"), r.OptionalInt32("channels"));
        r.End("an admission answer");
        return (id, decision);
    }

    /// <summary>Writes a command's kind and fields.</summary>
    public static void WriteCommand(ControlWriter w, MediaCommand command)
    {
        switch (command)
        {
            case OpenRoom c:
                w.Byte((byte)CommandKind.OpenRoom);
                w.String(c.RoomId);
                break;
            case CloseRoom c:
                w.Byte((byte)CommandKind.CloseRoom);
                w.String(c.RoomId);
                break;
            case AdmitParticipant c:
                w.Byte((byte)CommandKind.AdmitParticipant);
                w.String(c.RoomId);
                w.String(c.ClientName);
                w.OptionalInt32(c.Channels);
                break;
            case RevokeAdmission c:
                w.Byte((byte)CommandKind.RevokeAdmission);
                w.String(c.ClientName);
                break;
            case RemoveParticipant c:
                w.Byte((byte)CommandKind.RemoveParticipant);
                w.Int32(c.ParticipantId);
                break;
            case SetGain c:
                w.Byte((byte)CommandKind.SetGain);
                w.Int32(c.ListenerId);
                w.Int32(c.SourceId);
                w.Single(c.Gain);
                break;
            case SetMute c:
                w.Byte((byte)CommandKind.SetMute);
                w.Int32(c.ParticipantId);
                w.Bool(c.Muted);
                break;
            case SetSelfMonitor c:
                w.Byte((byte)CommandKind.SetSelfMonitor);
                w.Int32(c.ParticipantId);
                w.Bool(c.Enabled);
                break;
            case SetChannelMix c:
                w.Byte((byte)CommandKind.SetChannelMix);
                w.Int32(c.ParticipantId);
                w.Int32(c.Channel);
                w.Single(c.Pan);
                w.Single(c.Gain);
                break;
            case SetPassthrough c:
                w.Byte((byte)CommandKind.SetPassthrough);
                w.Int32(c.ListenerId);
                w.OptionalInt32(c.SourceId);
                break;
            case SetMasterGain c:
                w.Byte((byte)CommandKind.SetMasterGain);
                w.String(c.RoomId);
                w.Single(c.Gain);
                break;
            case SetClickTrack c:
                w.Byte((byte)CommandKind.SetClickTrack);
                w.String(c.RoomId);
                WriteClickTrack(w, c.Track);
                break;
            case SetClick c:
                w.Byte((byte)CommandKind.SetClick);
                w.Int32(c.ParticipantId);
                w.Single(c.Gain);
                w.Double(c.LeadMs);
                break;
            case SetJitterPolicy c:
                w.Byte((byte)CommandKind.SetJitterPolicy);
                w.String(c.RoomId);
                w.Byte((byte)c.Policy);
                break;
            default:
                throw new ArgumentException($"{command.GetType().Name} hands over an object of this process and cannot cross the control channel.", nameof(command));
        }
    }

    /// <summary>Reads a command's kind and fields.</summary>
    /// <exception cref="ControlProtocolException">Unknown kind, missing or out-of-range fields.</exception>
    public static MediaCommand ReadCommand(ref ControlReader r)
    {
        var kind = r.Enum<CommandKind>("command kind");
        return kind switch
        {
            CommandKind.OpenRoom => new OpenRoom(r.String("room id")),
            CommandKind.CloseRoom => new CloseRoom(r.String("room id")),
            CommandKind.AdmitParticipant => new AdmitParticipant(r.String("room id"), r.String("client name"), r.OptionalInt32("channels")),
            CommandKind.RevokeAdmission => new RevokeAdmission(r.String("client name")),
            CommandKind.RemoveParticipant => new RemoveParticipant(r.Int32("participant id")),
            CommandKind.SetGain => new SetGain(r.Int32("listener id"), r.Int32("source id"), r.Single("gain")),
            CommandKind.SetMute => new SetMute(r.Int32("participant id"), r.Bool("muted")),
            CommandKind.SetSelfMonitor => new SetSelfMonitor(r.Int32("participant id"), r.Bool("enabled")),
            CommandKind.SetChannelMix => new SetChannelMix(r.Int32("participant id"), r.Int32("channel"), r.Single("pan"), r.Single("gain")),
            CommandKind.SetPassthrough => new SetPassthrough(r.Int32("listener id"), r.OptionalInt32("source id")),
            CommandKind.SetMasterGain => new SetMasterGain(r.String("room id"), r.Single("gain")),
            CommandKind.SetClickTrack => new SetClickTrack(r.String("room id"), ReadClickTrack(ref r)),
            CommandKind.SetClick => new SetClick(r.Int32("participant id"), r.Single("gain"), r.Double("lead ms")),
            CommandKind.SetJitterPolicy => new SetJitterPolicy(r.String("room id"), r.Enum<JitterPolicy>("jitter policy")),
            _ => throw new ControlProtocolException($"Command kind {kind} is not known."),
        };
    }

    private static void WriteClickTrack(ControlWriter w, ClickTrack? track)
    {
        w.Bool(track is not null);
        if (track is null)
        {
            return;
        }
        w.Int32(track.SampleRate);
        w.Single(track.Volume);
        w.Int32(track.Segments.Count);
        foreach (var segment in track.Segments)
        {
            w.Int64(segment.Beat);
            w.Double(segment.EpochMs);
            w.Double(segment.Bpm);
            w.Int32(segment.BeatsPerBar);
        }
    }

    private static ClickTrack? ReadClickTrack(ref ControlReader r)
    {
        if (!r.Bool("click track present"))
        {
            return null;
        }
        var sampleRate = r.Int32("click sample rate", 8000, 192000);
        var volume = r.Single("click volume");
        if (!float.IsFinite(volume) || volume is < 0f or > 1f)
        {
            throw new ControlProtocolException($"click volume is {volume}, outside 0..1.");
        }
        var count = r.Int32("click segments", 1, ControlChannel.MaxClickSegments);
        var segments = new ClickSegment[count];
        for (var i = 0; i < count; i++)
        {
            var beat = r.Int64("segment beat");
            var epochMs = r.Double("segment time");
            var bpm = r.Double("segment tempo");
            var beatsPerBar = r.Int32("segment beats per bar", 1, 64);
            if (!double.IsFinite(epochMs) || !double.IsFinite(bpm) || bpm is <= 0 or > 1000)
            {
                throw new ControlProtocolException($"click segment {i} has no usable time or tempo.");
            }
            segments[i] = new ClickSegment(beat, epochMs, bpm, beatsPerBar);
        }
        return new ClickTrack(segments, sampleRate, volume);
    }

    /// <summary>Writes an event's kind and fields.</summary>
    public static void WriteEvent(ControlWriter w, MediaEvent mediaEvent)
    {
        switch (mediaEvent)
        {
            case RoomOpened e:
                w.Byte((byte)EventKind.RoomOpened);
                w.Moment(e.Timestamp);
                w.String(e.RoomId);
                break;
            case RoomClosed e:
                w.Byte((byte)EventKind.RoomClosed);
                w.Moment(e.Timestamp);
                w.String(e.RoomId);
                break;
            case ParticipantAdmitted e:
                w.Byte((byte)EventKind.ParticipantAdmitted);
                w.Moment(e.Timestamp);
                w.Int32(e.ParticipantId);
                w.String(e.RoomId);
                w.String(e.ClientName);
                w.Int32(e.UdpPort);
                w.OptionalDuration(e.HandshakeRoundTrip);
                break;
            case ParticipantRefused e:
                w.Byte((byte)EventKind.ParticipantRefused);
                w.Moment(e.Timestamp);
                w.String(e.ClientName);
                w.EndPoint(e.RemoteEndPoint);
                w.String(e.Reason);
                break;
            case ParticipantJoined e:
                w.Byte((byte)EventKind.ParticipantJoined);
                w.Moment(e.Timestamp);
                w.Int32(e.ParticipantId);
                w.String(e.RoomId);
                w.String(e.ClientName);
                w.EndPoint(e.RemoteEndPoint);
                w.Int32(e.InputChannels);
                w.Int32(e.OutputChannels);
                w.Int32(e.FramesPerPacket);
                break;
            case ParticipantLeft e:
                w.Byte((byte)EventKind.ParticipantLeft);
                w.Moment(e.Timestamp);
                w.Int32(e.ParticipantId);
                w.String(e.RoomId);
                w.String(e.ClientName);
                w.Byte((byte)e.Reason);
                break;
            case DatagramRejected e:
                w.Byte((byte)EventKind.DatagramRejected);
                w.Moment(e.Timestamp);
                w.Int32(e.ParticipantId);
                w.Byte((byte)e.Error);
                w.String(e.Reason);
                w.Int64(e.Count);
                break;
            case CommandRejected e:
                w.Byte((byte)EventKind.CommandRejected);
                w.Moment(e.Timestamp);
                WriteCommand(w, e.Command);
                w.Byte((byte)e.Refusal);
                break;
            case MixThreadScheduling e:
                w.Byte((byte)EventKind.MixThreadScheduling);
                w.Moment(e.Timestamp);
                w.Bool(e.RealTime);
                w.Int32(e.Priority);
                w.String(e.Detail);
                break;
            case MixThreadPinned e:
                w.Byte((byte)EventKind.MixThreadPinned);
                w.Moment(e.Timestamp);
                w.Int32(e.Cpu);
                w.Bool(e.Refused is not null);
                if (e.Refused is not null)
                {
                    w.String(e.Refused);
                }
                break;
            case EngineError e:
                w.Byte((byte)EventKind.EngineError);
                w.Moment(e.Timestamp);
                w.String(e.Message);
                w.Bool(e.Exception is not null);
                if (e.Exception is not null)
                {
                    w.String($"{e.Exception.GetType().Name}: {e.Exception.Message}");
                }
                break;
            case ParticipantStatistics e:
                w.Byte((byte)EventKind.ParticipantStatistics);
                w.Moment(e.Timestamp);
                WriteSnapshot(w, e.Snapshot);
                break;
            case RoomStatistics e:
                w.Byte((byte)EventKind.RoomStatistics);
                w.Moment(e.Timestamp);
                w.String(e.RoomId);
                w.Int32(e.Participants);
                w.OptionalDuration(e.WorstOneWayDelay);
                w.Int64(e.AddedLatency.Periods);
                w.Duration(e.AddedLatency.P50);
                w.Duration(e.AddedLatency.P99);
                w.Duration(e.AddedLatency.Max);
                break;
            default:
                throw new ArgumentException($"{mediaEvent.GetType().Name} has no control-channel form.", nameof(mediaEvent));
        }
    }

    /// <summary>Reads an event's kind and fields.</summary>
    /// <exception cref="ControlProtocolException">Unknown kind, missing or out-of-range fields.</exception>
    public static MediaEvent ReadEvent(ref ControlReader r)
    {
        var kind = r.Enum<EventKind>("event kind");
        var at = r.Moment("timestamp");
        switch (kind)
        {
            case EventKind.RoomOpened:
                return new RoomOpened(at, r.String("room id"));
            case EventKind.RoomClosed:
                return new RoomClosed(at, r.String("room id"));
            case EventKind.ParticipantAdmitted:
                return new ParticipantAdmitted(at, r.Int32("participant id"), r.String("room id"), r.String("client name"), r.Int32("udp port", 0, 65535), r.OptionalDuration("handshake round trip"));
            case EventKind.ParticipantRefused:
                return new ParticipantRefused(at, r.String("client name"), r.EndPoint("remote"), r.String("reason"));
            case EventKind.ParticipantJoined:
                return new ParticipantJoined(at, r.Int32("participant id"), r.String("room id"), r.String("client name"), r.EndPoint("remote"),
                    r.Int32("input channels", 0, 255), r.Int32("output channels", 0, 255), r.Int32("frames per packet", 0, 65535));
            case EventKind.ParticipantLeft:
                return new ParticipantLeft(at, r.Int32("participant id"), r.String("room id"), r.String("client name"), r.Enum<LeaveReason>("leave reason"));
            case EventKind.DatagramRejected:
                return new DatagramRejected(at, r.Int32("participant id"), r.Enum<JackTripError>("error"), r.String("reason"), r.Int64("count"));
            case EventKind.CommandRejected:
                return new CommandRejected(at, ReadCommand(ref r), r.Enum<CommandRefusal>("refusal"));
            case EventKind.MixThreadScheduling:
                return new MixThreadScheduling(at, r.Bool("real time"), r.Int32("priority"), r.String("detail"));
            case EventKind.MixThreadPinned:
                {
                    var cpu = r.Int32("cpu");
                    return new MixThreadPinned(at, cpu, r.Bool("refused present") ? r.String("refused") : null);
                }
            case EventKind.EngineError:
                {
                    var message = r.String("message");
                    return new EngineError(at, message, r.Bool("exception present") ? new EngineProcessException(r.String("exception")) : null);
                }
            case EventKind.ParticipantStatistics:
                return new ParticipantStatistics(at, ReadSnapshot(ref r));
            case EventKind.RoomStatistics:
                return new RoomStatistics(at, r.String("room id"), r.Int32("participants"), r.OptionalDuration("worst one-way"),
                    new AddedLatencySnapshot(r.Int64("periods"), r.Duration("p50"), r.Duration("p99"), r.Duration("max")));
            default:
                throw new ControlProtocolException($"Event kind {kind} is not known.");
        }
    }

    private static void WriteSnapshot(ControlWriter w, ParticipantSnapshot s)
    {
        w.Int32(s.ParticipantId);
        w.String(s.RoomId);
        w.String(s.ClientName);
        w.Int64(s.DatagramsReceived);
        w.Int64(s.DatagramsRejected);
        w.Int64(s.DatagramsSent);
        w.Int64(s.DatagramsFromStrangers);
        var j = s.JitterBuffer;
        foreach (var count in (ReadOnlySpan<long>)[j.Received, j.Duplicates, j.Late, j.Lost, j.OutOfOrder, j.Reordered, j.Underruns, j.Overruns, j.Skipped, j.PeriodsRead, j.ConcealedPeriods, j.ConcealedFrames])
        {
            w.Int64(count);
        }
        w.Int32(j.DepthFrames);
        w.Int32(j.TargetDepthFrames);
        w.Double(j.JitterMicroseconds);
        w.Double(j.PlayDelayMicroseconds);
        var l = s.Latency;
        w.OptionalDuration(l.NetworkOneWay);
        w.Duration(l.Jitter);
        w.Duration(l.BufferDelay);
        w.OptionalDuration(l.HandshakeRoundTrip);
        w.OptionalDuration(l.RoundTrip);
        w.OptionalDuration(l.UpstreamDelay);
        w.Bool(s.ExternalPath is not null);
        if (s.ExternalPath is { } path)
        {
            w.OptionalDouble(path.InputWaitP50);
            w.OptionalDouble(path.InputWaitP95);
            w.OptionalDouble(path.OutputWaitP50);
            w.OptionalDouble(path.OutputWaitP95);
        }
    }

    private static ParticipantSnapshot ReadSnapshot(ref ControlReader r)
    {
        var id = r.Int32("participant id");
        var roomId = r.String("room id");
        var name = r.String("client name");
        var received = r.Int64("datagrams received");
        var rejected = r.Int64("datagrams rejected");
        var sent = r.Int64("datagrams sent");
        var strangers = r.Int64("datagrams from strangers");
        var jitter = new JitterBufferStatistics(
            r.Int64("received"), r.Int64("duplicates"), r.Int64("late"), r.Int64("lost"), r.Int64("out of order"), r.Int64("reordered"),
            r.Int64("underruns"), r.Int64("overruns"), r.Int64("skipped"), r.Int64("periods read"), r.Int64("concealed periods"),
            r.Int64("concealed frames"), r.Int32("depth frames"), r.Int32("target depth frames"), r.Double("jitter µs"), r.Double("play delay µs"));
        var latency = new LatencyEstimate(
            r.OptionalDuration("one-way"), r.Duration("jitter"), r.Duration("buffer delay"), r.OptionalDuration("handshake round trip"),
            r.OptionalDuration("round trip"), r.OptionalDuration("upstream delay"));
        ExternalPathTimes? path = r.Bool("external path present")
            ? new ExternalPathTimes(r.OptionalDouble("input wait p50"), r.OptionalDouble("input wait p95"), r.OptionalDouble("output wait p50"), r.OptionalDouble("output wait p95"))
            : null;
        return new ParticipantSnapshot(id, roomId, name, received, rejected, sent, jitter, latency)
        {
            DatagramsFromStrangers = strangers,
            ExternalPath = path,
        };
    }
}
