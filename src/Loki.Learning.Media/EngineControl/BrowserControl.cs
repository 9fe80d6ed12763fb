namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// The node asks the engine to attach a browser participant whose audio crosses in a participant ring file
/// (docs/protocol.md §11.5): the engine creates <paramref name="Path"/> (mode 0600, in the node's private folder) headed
/// with <paramref name="Generation"/>, attaches the participant over it (<see cref="Engine.MediaEngine.AttachSharedExternal"/>)
/// and the node's socket handler maps the other end (<see cref="SharedMemory.SharedParticipantTransport"/>).
/// </summary>
/// <param name="RoomId">The engine's room id (the room grain's admission names it).</param>
/// <param name="ClientName">The name the participant carries in the engine's events (the admission's connection name).</param>
/// <param name="Channels">1 or 2: channels of its input and of its personal mix.</param>
/// <param name="Path">The ring file to create: a new file directly in the folder of the engine's control socket.</param>
/// <param name="Generation">Written into the ring's header; the node refuses a file of another generation.</param>
public sealed record BrowserRingRequest(string RoomId, string ClientName, int Channels, string Path, ulong Generation);

/// <summary>The engine's answer to a <see cref="BrowserRingRequest"/>.</summary>
/// <param name="RoomId">The room of the request.</param>
/// <param name="Path">The path of the request (the node matches answers by it).</param>
/// <param name="Generation">The generation of the request.</param>
/// <param name="ParticipantId">The participant's engine-wide id (commands and events name it); 0 when refused.</param>
/// <param name="Refusal">Why the participant was not attached, or null when the file exists and the participant joins.</param>
public sealed record BrowserRingAnswer(string RoomId, string Path, ulong Generation, int ParticipantId, string? Refusal);

/// <summary>A browser participant's frames on the control channel (docs/protocol.md §11.2, types 13–15).</summary>
public static class BrowserControl
{
    /// <summary>Writes a whole <see cref="ControlMessage.AttachBrowser"/> frame.</summary>
    public static ReadOnlyMemory<byte> AttachFrame(ControlWriter writer, BrowserRingRequest request)
    {
        writer.Begin(ControlMessage.AttachBrowser);
        writer.String(request.RoomId);
        writer.String(request.ClientName);
        writer.Byte(checked((byte)request.Channels));
        writer.String(request.Path);
        writer.Int64(unchecked((long)request.Generation));
        return writer.End();
    }

    /// <summary>Reads an attach request's fields (after the type byte).</summary>
    /// <exception cref="ControlProtocolException">A field missing, too long, channels not 1 or 2, or bytes left over.</exception>
    public static BrowserRingRequest ReadAttach(ref ControlReader r)
    {
        var roomId = r.String("room id");
        var clientName = r.String("client name");
        var channels = r.Byte("channels");
        if (channels is not (1 or 2))
        {
            throw new ControlProtocolException($"channels is {channels}, not 1 or 2.");
        }
        var request = new BrowserRingRequest(roomId, clientName, channels, r.String("ring path"), unchecked((ulong)r.Int64("generation")));
        r.End("a browser attach");
        if (request.RoomId.Length == 0)
        {
            throw new ControlProtocolException("A browser attach names no room.");
        }
        return request;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.DetachBrowser"/> frame.</summary>
    public static ReadOnlyMemory<byte> DetachFrame(ControlWriter writer, string roomId, string path)
    {
        writer.Begin(ControlMessage.DetachBrowser);
        writer.String(roomId);
        writer.String(path);
        return writer.End();
    }

    /// <summary>Reads a detach request's fields (after the type byte).</summary>
    public static (string RoomId, string Path) ReadDetach(ref ControlReader r)
    {
        var detach = (r.String("room id"), r.String("ring path"));
        r.End("a browser detach");
        return detach;
    }

    /// <summary>Writes a whole <see cref="ControlMessage.BrowserAnswer"/> frame.</summary>
    public static ReadOnlyMemory<byte> AnswerFrame(ControlWriter writer, BrowserRingAnswer answer)
    {
        writer.Begin(ControlMessage.BrowserAnswer);
        writer.String(answer.RoomId);
        writer.String(answer.Path);
        writer.Int64(unchecked((long)answer.Generation));
        writer.Int32(answer.Refusal is null ? answer.ParticipantId : 0);
        writer.Bool(answer.Refusal is not null);
        if (answer.Refusal is not null)
        {
            writer.String(answer.Refusal);
        }
        return writer.End();
    }

    /// <summary>Reads an answer's fields (after the type byte). An attached participant has an id above 0; a refusal has 0.</summary>
    public static BrowserRingAnswer ReadAnswer(ref ControlReader r)
    {
        var roomId = r.String("room id");
        var path = r.String("ring path");
        var generation = unchecked((ulong)r.Int64("generation"));
        var participantId = r.Int32("participant id", 0, int.MaxValue);
        var refusal = r.Bool("refusal present") ? r.String("refusal") : null;
        r.End("a browser answer");
        if ((refusal is null) != (participantId > 0))
        {
            throw new ControlProtocolException(refusal is null
                ? "A browser answer without a refusal names no participant."
                : $"A browser answer with a refusal names participant {participantId}.");
        }
        return new BrowserRingAnswer(roomId, path, generation, participantId, refusal);
    }
}
