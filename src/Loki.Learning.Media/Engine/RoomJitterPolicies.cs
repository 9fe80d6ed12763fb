using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Media.Engine;

/// <summary>
/// Sets what a room's browser participants' jitter buffers do on a bad link (<see cref="JitterPolicy"/>). Kept for
/// the room until changed; applies to those connected now (their buffers restart with the new depth: one short gap)
/// and to those who connect later. JackTrip clients size their own queue (<c>-q</c>) and send redundancy; the
/// policy does not touch them.
/// </summary>
/// <param name="RoomId">The room (need not be open yet).</param>
/// <param name="Policy">Tight or safe.</param>
public sealed record SetJitterPolicy(string RoomId, JitterPolicy Policy) : MediaCommand;

/// <summary>The rooms whose browser buffers are tight, and the buffer options for each. Mix thread alone.</summary>
internal sealed class RoomJitterPolicies
{
    private readonly HashSet<string> _tight = new(StringComparer.Ordinal);
    private readonly JitterBufferOptions _safe;
    private readonly JitterBufferOptions _tightOptions;

    public RoomJitterPolicies(JitterBufferOptions safe, double tightMilliseconds)
    {
        if (!double.IsFinite(tightMilliseconds) || tightMilliseconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tightMilliseconds), tightMilliseconds, "The tight jitter depth must be a positive number of milliseconds.");
        }
        _safe = safe;
        _tightOptions = safe.For(JitterPolicy.Tight, tightMilliseconds);
    }

    /// <summary>The options a new browser participant's buffer in <paramref name="roomId"/> takes.</summary>
    public JitterBufferOptions OptionsFor(string roomId) => _tight.Contains(roomId) ? _tightOptions : _safe;

    public JitterPolicy PolicyOf(string roomId) => _tight.Contains(roomId) ? JitterPolicy.Tight : JitterPolicy.Safe;

    /// <summary>Applies <see cref="SetJitterPolicy"/>: remembers it and restarts the buffers of the room's browser participants.</summary>
    public static CommandRefusal Apply(MixState state, SetJitterPolicy command)
    {
        if (string.IsNullOrEmpty(command.RoomId))
        {
            return CommandRefusal.RoomIdMissing;
        }
        var policies = state.JitterPolicies;
        var changed = command.Policy == JitterPolicy.Tight ? policies._tight.Add(command.RoomId) : policies._tight.Remove(command.RoomId);
        if (changed)
        {
            foreach (var session in state.Sessions)
            {
                if (session is ExternalSession external && session.RoomId == command.RoomId)
                {
                    external.RestartBuffer();
                }
            }
        }
        return CommandRefusal.None;
    }
}
