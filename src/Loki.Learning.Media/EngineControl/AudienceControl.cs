namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// The node asks the engine to tap a room's mix into an audience ring file (docs/protocol.md §11.4): the engine creates
/// <paramref name="Path"/> (mode 0600, in the node's private folder) headed with <paramref name="Generation"/>, and the
/// node's broadcaster maps it (<see cref="SharedMemory.SharedAudienceReader"/>).
/// </summary>
/// <param name="RoomId">The engine's room id.</param>
/// <param name="Path">The ring file to create: a new file directly in the folder of the engine's control socket.</param>
/// <param name="Generation">Written into the ring's header; the node refuses a file of another generation.</param>
public sealed record AudienceRingRequest(string RoomId, string Path, ulong Generation);

/// <summary>The engine's answer to an <see cref="AudienceRingRequest"/>.</summary>
/// <param name="RoomId">The room of the request.</param>
/// <param name="Path">The path of the request (the node matches answers by it).</param>
/// <param name="Generation">The generation of the request.</param>
/// <param name="Refusal">Why the ring was not made, or null when the file exists and the tap is posted to the engine.</param>
public sealed record AudienceRingAnswer(string RoomId, string Path, ulong Generation, string? Refusal);

/// <summary>The engine's mix thread since it started, and its longest interval between two periods over the last report.</summary>
/// <param name="Periods">Periods mixed since the engine started.</param>
/// <param name="LatePeriods">Periods started more than one period late (the pacer's count), since the engine started.</param>
/// <param name="LongestInterval">The longest interval between two periods since the previous report, as the engine's audience taps saw it (zero without a tap).</param>
/// <param name="LongIntervals">Intervals over 1.5 periods seen by the audience taps, since the previous report.</param>
public readonly record struct MixTimingReport(long Periods, long LatePeriods, TimeSpan LongestInterval, long LongIntervals);

/// <summary>The audience ring's frames on the control channel (docs/protocol.md §11.2, types 9–12).</summary>
public static class AudienceControl
{
    /// <summary>Writes a whole <see cref="ControlMessage.AttachAudience"/> frame.</summary>
    public static ReadOnlyMemory<byte> AttachFrame(ControlWriter writer, AudienceRingRequest request)
    {
        writer.Begin(ControlMessage.AttachAudience);
        writer.String(request.RoomId);
        writer.String(request.Path);
        writer.Int64(unchecked((long)request.Generation));
        return writer.End();
    }

    /// <summary>Reads an attach request's fields (after the type byte).</summary>
    /// <exception cref="ControlProtocolException">A field missing, too long, or bytes left over.</exception>
    public static AudienceRingRequest ReadAttach(ref ControlReader r)
    {
        var request = new AudienceRingRequest(r.String("room id"), r.String("ring path"), unchecked((ulong)r.Int64("generation")));
        r.End("an audience attach");
        return request;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.DetachAudience"/> frame.</summary>
    public static ReadOnlyMemory<byte> DetachFrame(ControlWriter writer, string roomId, string path)
    {
        writer.Begin(ControlMessage.DetachAudience);
        writer.String(roomId);
        writer.String(path);
        return writer.End();
    }

    /// <summary>Reads a detach request's fields (after the type byte).</summary>
    public static (string RoomId, string Path) ReadDetach(ref ControlReader r)
    {
        var detach = (r.String("room id"), r.String("ring path"));
        r.End("an audience detach");
        return detach;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.AudienceAnswer"/> frame.</summary>
    public static ReadOnlyMemory<byte> AnswerFrame(ControlWriter writer, AudienceRingAnswer answer)
    {
        writer.Begin(ControlMessage.AudienceAnswer);
        writer.String(answer.RoomId);
        writer.String(answer.Path);
        writer.Int64(unchecked((long)answer.Generation));
        writer.Bool(answer.Refusal is not null);
        if (answer.Refusal is not null)
        {
            writer.String(answer.Refusal);
        }
        return writer.End();
    }

    /// <summary>Reads an answer's fields (after the type byte).</summary>
    public static AudienceRingAnswer ReadAnswer(ref ControlReader r)
    {
        var roomId = r.String("room id");
        var path = r.String("ring path");
        var generation = unchecked((ulong)r.Int64("generation"));
        var refusal = r.Bool("refusal present") ? r.String("refusal") : null;
        r.End("an audience answer");
        return new AudienceRingAnswer(roomId, path, generation, refusal);
    }

    /// <summary>Writes a whole <see cref="ControlMessage.MixTiming"/> frame.</summary>
    public static ReadOnlyMemory<byte> MixTimingFrame(ControlWriter writer, MixTimingReport report)
    {
        writer.Begin(ControlMessage.MixTiming);
        writer.Int64(report.Periods);
        writer.Int64(report.LatePeriods);
        writer.Duration(report.LongestInterval);
        writer.Int64(report.LongIntervals);
        return writer.End();
    }

    /// <summary>Reads a mix timing report (after the type byte); counts and durations must not be negative.</summary>
    public static MixTimingReport ReadMixTiming(ref ControlReader r)
    {
        var report = new MixTimingReport(r.Int64("periods"), r.Int64("late periods"), r.Duration("longest interval"), r.Int64("long intervals"));
        r.End("a mix timing report");
        if (report.Periods < 0 || report.LatePeriods < 0 || report.LongestInterval < TimeSpan.Zero || report.LongIntervals < 0)
        {
            throw new ControlProtocolException("A mix timing report holds a negative count or duration.");
        }
        return report;
    }
}
