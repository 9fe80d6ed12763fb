using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Jitter;

namespace Loki.Learning.Web.Features.Rooms;

/// What the room's browser audio does when a link turns bad (docs/benchmarks.md §3.2): tight keeps everyone's delay and
/// conceals what comes too late (ensemble playing), safe lets the buffer grow and plays everything (lessons). The host's
/// choice, kept in the room's state like its tempo, shown to everyone.
public sealed partial class LiveRoom
{
    public JitterPolicy LinkPolicy { get; private set; }

    public RoomOutcome SetLinkPolicy(string hostId, JitterPolicy policy)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        if (!Enum.IsDefined(policy))
        {
            return RoomOutcome.Refuse(RoomRefusal.InvalidLinkPolicy);
        }
        if (policy == LinkPolicy)
        {
            return Done(changed: false);
        }
        LinkPolicy = policy;
        PostLinkPolicy();
        return Done(persist: true);
    }

    /// The engine learns the policy whenever the room opens here (it keeps it per room until told otherwise).
    private void PostLinkPolicy() => _pending.Media.Add(new SetJitterPolicy(MediaRoom, LinkPolicy));
}
