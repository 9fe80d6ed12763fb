using System.Globalization;
using System.Text.RegularExpressions;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Hub.EngineHost;

/// <summary>
/// The engine process's audience rings (docs/protocol.md §11.4): one <see cref="AudienceTap"/> per room writing an
/// <see cref="AudienceRingFile"/> that the node's broadcaster maps. A ring file is only ever created new (never opened,
/// never through a link), directly in the folder of the control socket, which only the node's user may enter: a path
/// from the control channel that points anywhere else is refused and logged.
/// </summary>
/// <remarks>Called from the control connection's reader and the event pump; one lock guards the table. A room may have
/// several rings (each reader its own: the broadcaster, a measurement); there are at most <see cref="MaxRings"/>.</remarks>
internal sealed partial class EngineAudiences(MediaEngine engine, string controlPath, Action<string> write)
{
    private readonly Lock _gate = new();
    /// <summary>The most rings one engine keeps at once; a node asking for more is refused.</summary>
    public const int MaxRings = 256;

    private readonly Dictionary<string, Attachment> _rings = new(StringComparer.Ordinal);

    /// <summary>Creates the ring file and posts its tap to the engine.</summary>
    public AudienceRingAnswer Attach(AudienceRingRequest request)
    {
        int count;
        lock (_gate)
        {
            count = _rings.Count;
        }
        var refusal = count >= MaxRings ? $"this engine holds {MaxRings} audience rings already" : CheckPath(request.Path, controlPath);
        Attachment? attachment = null;
        if (refusal is null)
        {
            try
            {
                var ring = AudienceRingFile.Create(request.Path, engine.Options.PeriodFrames, request.Generation);
                attachment = new Attachment(request.RoomId, request.Path, new AudienceTap(ring));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
            {
                refusal = $"the file cannot be created new ({exception.Message})";
            }
        }
        if (attachment is null)
        {
            write($"engine: audience ring for room {Printable(request.RoomId)} refused: {refusal}");
            return request.Refused(refusal!);
        }
        lock (_gate)
        {
            if (!engine.Post(new AttachTap(request.RoomId, attachment.Tap)))
            {
                End(attachment, detach: false);
                write($"engine: audience ring for room {Printable(request.RoomId)} refused: the engine's command queue is full or it is stopping");
                return request.Refused("the engine's command queue is full or the engine is stopping");
            }
            _rings[request.Path] = attachment;
        }
        write($"engine: audience of room {Printable(request.RoomId)} tapped into {request.Path}");
        return new AudienceRingAnswer(request.RoomId, request.Path, request.Generation, null);
    }

    /// <summary>Detaches the room's ring at <paramref name="path"/> and removes its file.</summary>
    /// <returns>What to tell the node when there is no such ring, or null.</returns>
    public string? Detach(string roomId, string path)
    {
        lock (_gate)
        {
            if (!_rings.TryGetValue(path, out var attachment) || attachment.RoomId != roomId)
            {
                return $"No audience ring {Printable(path)} for room {Printable(roomId)}; nothing detached.";
            }
            _rings.Remove(path);
            End(attachment, detach: true);
            return null;
        }
    }

    /// <summary>The engine refused a ring's tap (the room is not open here): the node's reader sees its end closed.</summary>
    public void Refused(AttachTap command, CommandRefusal refusal)
    {
        lock (_gate)
        {
            if (_rings.Values.FirstOrDefault(a => ReferenceEquals(a.Tap, command.Tap)) is { } attachment)
            {
                _rings.Remove(attachment.Path);
                End(attachment, detach: false);
                write($"engine: audience ring of room {Printable(command.RoomId)} closed: the engine refused its tap ({refusal})");
            }
        }
    }

    /// <summary>
    /// The longest interval between two periods and the intervals over 1.5 periods the taps saw since the last call;
    /// each tap's figures start again (a reset racing a period may keep that period's interval for the next report).
    /// </summary>
    public (TimeSpan Longest, long Long) TakeTiming()
    {
        var longest = TimeSpan.Zero;
        var late = 0L;
        lock (_gate)
        {
            foreach (var attachment in _rings.Values)
            {
                var (max, over, _) = attachment.Tap.MixTiming;
                longest = max > longest ? max : longest;
                late += over;
                attachment.Tap.ResetTiming();
            }
        }
        return (longest, late);
    }

    /// <summary>The engine stopped: every ring's end is closed and its file removed.</summary>
    public void RemoveAll()
    {
        lock (_gate)
        {
            foreach (var attachment in _rings.Values)
            {
                End(attachment, detach: false);
            }
            _rings.Clear();
        }
    }

    /// <summary>Why <paramref name="path"/> may not be an audience ring file, or null when it may.</summary>
    internal static string? CheckPath(string path, string controlPath) => CheckPath(path, controlPath, "audience");

    /// <summary>Why <paramref name="path"/> may not be a ring file named <c><paramref name="kind"/>-….ring</c>, or null when it may.</summary>
    internal static string? CheckPath(string path, string controlPath, string kind)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return $"the path {Printable(path)} is not absolute";
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(controlPath));
        if (Path.GetFullPath(path) != path || Path.GetDirectoryName(path) != folder)
        {
            return $"the path {Printable(path)} is outside the node's private folder {folder}";
        }
        var name = Path.GetFileName(path);
        if (!name.StartsWith(kind + "-", StringComparison.Ordinal) || !name.EndsWith(".ring", StringComparison.Ordinal)
            || !RingName().IsMatch(name[(kind.Length + 1)..^".ring".Length]))
        {
            return $"the file name {Printable(name)} is not {kind}-<letters, digits, dashes>.ring";
        }
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(folder!) & others) != 0)
        {
            return $"the folder {folder} is open to other users (mode {Convert.ToString((int)File.GetUnixFileMode(folder!), 8)})";
        }
        return null;
    }

    private void End(Attachment attachment, bool detach)
    {
        if (!detach || !engine.Post(new DetachTap(attachment.RoomId, attachment.Tap)))
        {
            attachment.Tap.OnDetached(); // never attached, or the engine is gone: close the engine's end here
        }
        try
        {
            File.Delete(attachment.Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            write($"engine: audience ring {attachment.Path} not removed: {exception.Message}");
        }
    }

    /// <summary>Text from the channel as a log line shows it: control characters escaped, cut at 200 characters.</summary>
    internal static string Printable(string text)
    {
        var shown = string.Concat(text.Take(200).Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString()));
        return "'" + shown + (text.Length > 200 ? "…'" : "'");
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,100}\\z")]
    private static partial Regex RingName();

    private sealed record Attachment(string RoomId, string Path, AudienceTap Tap);
}

internal static class AudienceRingRequests
{
    public static AudienceRingAnswer Refused(this AudienceRingRequest request, string refusal) =>
        new(request.RoomId, request.Path, request.Generation, refusal);
}
