using System.Globalization;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Hub.EngineHost;

/// <summary>
/// The engine process's browser participants (docs/protocol.md §11.5): each one an <see cref="ExternalParticipant"/>
/// over a <see cref="ParticipantRingFile"/> whose other end the node's socket handler maps. A ring file is only ever
/// created new (never opened, never through a link), directly in the folder of the control socket, which only the
/// node's user may enter: a path from the control channel that points anywhere else is refused and logged, as for the
/// audience rings (<see cref="EngineAudiences.CheckPath(string, string, string)"/>).
/// </summary>
/// <remarks>
/// A participant leaves the mix, and its file is removed, when the node detaches it, when the engine lets it go (the
/// host removed the person, the room closed), or when the web side's end is closed or silent for
/// <see cref="TransportSilenceLimit"/> (its process was killed or hangs): <see cref="Watch"/>, ten times a second, so a
/// web process that died leaves no participant in the mix that nobody hears and nobody feeds. Called from the control
/// connection's reader and the host's timer; one lock guards the table.
/// </remarks>
internal sealed class EngineBrowsers(MediaEngine engine, string controlPath, Action<string> write)
{
    /// <summary>The most browser participants one engine keeps at once; a node asking for more is refused.</summary>
    public const int MaxParticipants = 1024;

    /// <summary>
    /// The web side beats its heartbeat on every block, every read and every pass of its poller (every millisecond while
    /// its socket handler waits for output): standing still this long, it is gone.
    /// </summary>
    public static readonly TimeSpan TransportSilenceLimit = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Attachment> _attached = new(StringComparer.Ordinal);

    /// <summary>Browser participants attached now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _attached.Count;
            }
        }
    }

    /// <summary>Creates the ring file and attaches the participant over it; it joins its room at the next period.</summary>
    public BrowserRingAnswer Attach(BrowserRingRequest request)
    {
        int count;
        lock (_gate)
        {
            count = _attached.Count;
        }
        var refusal = count >= MaxParticipants
            ? $"this engine holds {MaxParticipants} browser participants already"
            : EngineAudiences.CheckPath(request.Path, controlPath, "browser");
        Attachment? attachment = null;
        if (refusal is null)
        {
            MappedRingMemory? ring = null;
            try
            {
                ring = ParticipantRingFile.Create(request.Path, request.Channels, engine.Options.PeriodFrames, engine.Options.SampleRate, request.Generation);
                var participant = engine.AttachSharedExternal(request.RoomId, request.ClientName, ring);
                attachment = new Attachment(request.RoomId, request.Path, participant, ring,
                    new RingPeerWatch(ring, RingSide.Transport, TimeProvider.System, TransportSilenceLimit));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or RingFormatException)
            {
                refusal = ring is null
                    ? $"the file cannot be created new ({exception.Message})"
                    : $"the engine cannot take the participant ({exception.Message})"; // stopping, or the rings do not fit it
                if (ring is not null)
                {
                    // Made here, so removed here; nothing else holds the mapping.
                    ring.Dispose();
                    Delete(request.Path);
                }
            }
        }
        if (attachment is null)
        {
            write($"engine: browser participant {EngineAudiences.Printable(request.ClientName)} of room {EngineAudiences.Printable(request.RoomId)} refused: {refusal}");
            return new BrowserRingAnswer(request.RoomId, request.Path, request.Generation, 0, refusal);
        }
        lock (_gate)
        {
            _attached[request.Path] = attachment;
        }
        write(Invariant($"engine: browser participant {attachment.Participant.ParticipantId} of room {EngineAudiences.Printable(request.RoomId)} attached over {request.Path}"));
        return new BrowserRingAnswer(request.RoomId, request.Path, request.Generation, attachment.Participant.ParticipantId, null);
    }

    /// <summary>The node lets the participant of the ring at <paramref name="path"/> go: it leaves the mix and the file is removed.</summary>
    /// <returns>What to tell the node when there is no such participant, or null.</returns>
    public string? Detach(string roomId, string path)
    {
        Attachment? attachment;
        lock (_gate)
        {
            if (!_attached.TryGetValue(path, out attachment) || attachment.RoomId != roomId)
            {
                return $"No browser ring {EngineAudiences.Printable(path)} for room {EngineAudiences.Printable(roomId)}; nothing detached.";
            }
            _attached.Remove(path);
        }
        End(attachment, "the node detached it");
        return null;
    }

    /// <summary>
    /// Off the mix thread, about ten times a second: every participant the engine let go, and every one whose web side
    /// closed its end or went silent, leaves and its file is removed.
    /// </summary>
    public void Watch()
    {
        List<(Attachment Attachment, string Why, bool Silent)>? ending = null;
        lock (_gate)
        {
            foreach (var attachment in _attached.Values)
            {
                var web = attachment.Participant.HasLeft ? RingPeerState.Alive : attachment.Web.Check();
                var why = attachment.Participant.HasLeft
                    ? "the engine let it go (removed by the host, its room closed or full, or the engine stops)"
                    : web switch
                    {
                        RingPeerState.Closed => "the web side closed its end",
                        RingPeerState.Gone => Invariant($"the web side is gone (its process ended, or its heartbeat stood still for {TransportSilenceLimit.TotalSeconds:0} s)"),
                        _ => null,
                    };
                if (why is not null)
                {
                    (ending ??= []).Add((attachment, why, web == RingPeerState.Gone));
                }
            }
            foreach (var (attachment, _, _) in ending ?? [])
            {
                _attached.Remove(attachment.Path);
            }
        }
        foreach (var (attachment, why, silent) in ending ?? [])
        {
            if (silent)
            {
                // Said before the participant's own close: a web process that only stalled learns it was not removed.
                RingHeader.Close(attachment.Ring, RingSide.Engine, RingHeader.ClosedPeerSilent);
            }
            End(attachment, why);
        }
    }

    /// <summary>The engine stopped: every participant's end is closed and its file removed.</summary>
    public void RemoveAll()
    {
        List<Attachment> all;
        lock (_gate)
        {
            all = [.. _attached.Values];
            _attached.Clear();
        }
        foreach (var attachment in all)
        {
            attachment.Participant.Dispose();
            Delete(attachment.Path);
        }
    }

    /// <summary>
    /// Leaves the room (never blocks) and removes the file. The mapping itself stays until the collector finalizes it:
    /// the mix thread may still be inside this participant's rings until it sees the detach at its next period.
    /// </summary>
    private void End(Attachment attachment, string why)
    {
        attachment.Participant.Dispose();
        Delete(attachment.Path);
        write(Invariant($"engine: browser participant {attachment.Participant.ParticipantId} of room {EngineAudiences.Printable(attachment.RoomId)} left: {why}; {attachment.Path} removed"));
    }

    private void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            write($"engine: browser ring {path} not removed: {exception.Message}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Attachment(string RoomId, string Path, ExternalParticipant Participant, MappedRingMemory Ring, RingPeerWatch Web);
}
