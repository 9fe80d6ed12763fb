namespace Loki.Learning.Media.Mixing;

/// <summary>
/// Sees every period of one room right after it is mixed: the room mix and each participant's input. Recorders and
/// audience streams are taps. Attached and detached with the engine's <c>AttachTap</c>/<c>DetachTap</c> commands.
/// </summary>
/// <remarks>
/// Both methods run on the engine's mix thread. Copy what is needed into memory allocated beforehand and return: never
/// block, wait, lock across I/O, allocate or log there. A tap that throws is detached.
/// </remarks>
public interface IRoomTap
{
    /// <summary>One period of <paramref name="room"/>: <see cref="MixingRoom.RoomMix"/> and the participants' inputs.</summary>
    /// <param name="room">The room, valid only during the call.</param>
    /// <param name="periodEpochMs">Server time of the period's first frame, ms since the Unix epoch.</param>
    void OnPeriod(MixingRoom room, double periodEpochMs);

    /// <summary>No more periods will come: the tap was detached, threw, or its room closed, or the engine stopped.</summary>
    void OnDetached();
}
