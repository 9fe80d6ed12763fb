using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;

namespace Loki.Learning.Web.Features.Rooms;

/// Multichannel sites (docs/multichannel.md): the host places a hall's channels in the stereo fold-down everyone hears,
/// and passes a site's channels unmixed to a production site. Both are the host's alone, kept by person (not by
/// connection) for the room's lifetime, so a site that reconnects — with a new engine id — gets them again.
public sealed partial class LiveRoom
{
    /// Fewer channels than this are a mono or stereo participant: the plain rules, no fold-down to place.
    public const int MultichannelFrom = 3;

    /// Person id → the channels the host moved (0-based channel → place); channels not listed keep the even spread.
    private readonly Dictionary<string, Dictionary<int, ChannelPlace>> _channelMixes = new(StringComparer.Ordinal);

    /// Listener person id → source person id whose channels it receives unmixed.
    private readonly Dictionary<string, string> _passthroughs = new(StringComparer.Ordinal);

    public RoomOutcome SetChannelMix(string hostId, string personId, int channel, float pan, float gain)
    {
        if (!float.IsFinite(pan) || pan is < -1f or > 1f)
        {
            return RoomOutcome.Refuse(RoomRefusal.InvalidPan);
        }
        if (!IsGain(gain))
        {
            return RoomOutcome.Refuse(RoomRefusal.InvalidGain);
        }
        if (SiteFor(hostId, personId, out var site) is { } refusal)
        {
            return RoomOutcome.Refuse(refusal);
        }
        if (channel < 0 || channel >= site.Channels)
        {
            return RoomOutcome.Refuse(RoomRefusal.NoSuchChannel);
        }
        if (!_channelMixes.TryGetValue(personId, out var places))
        {
            _channelMixes[personId] = places = [];
        }
        places[channel] = new ChannelPlace(pan, gain);
        _pending.Media.Add(new SetChannelMix(site.MediaId!.Value, channel, pan, gain));
        return Done(persist: true);
    }

    /// Every channel back to the engine's even spread.
    public RoomOutcome ResetChannelMix(string hostId, string personId)
    {
        if (SiteFor(hostId, personId, out var site) is { } refusal)
        {
            return RoomOutcome.Refuse(refusal);
        }
        _channelMixes.Remove(personId);
        for (var channel = 0; channel < site.Channels; channel++)
        {
            var (pan, gain) = MixParticipant.DefaultChannelMix(channel, site.Channels);
            _pending.Media.Add(new SetChannelMix(site.MediaId!.Value, channel, pan, gain));
        }
        return Done(persist: true);
    }

    /// <paramref name="listenerId"/> (a JackTrip participant, or someone not connected yet) receives
    /// <paramref name="sourceId"/>'s channels unmixed; null returns it to its own mix.
    public RoomOutcome SetPassthrough(string hostId, string listenerId, string? sourceId)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        if (!_participants.TryGetValue(listenerId, out var listener)
            || (sourceId is not null && (sourceId == listenerId || !_participants.ContainsKey(sourceId))))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotInRoom);
        }
        if (LiveConnection(listener) is { Via: not AudioVia.JackTrip })
        {
            // Only a JackTrip client can take more than the two channels of a mix.
            return RoomOutcome.Refuse(RoomRefusal.PassthroughNeedsJackTrip);
        }
        if (sourceId is null)
        {
            _passthroughs.Remove(listenerId);
        }
        else
        {
            _passthroughs[listenerId] = sourceId;
        }
        ApplyPassthrough(listener);
        return Done(persist: true);
    }

    /// The channels of <paramref name="personId"/>'s audio in the fold-down (its places or the even spread); null for
    /// fewer than <see cref="MultichannelFrom"/> channels.
    private IReadOnlyList<ChannelPlace>? ChannelMixOf(string personId, int channels)
    {
        if (channels < MultichannelFrom)
        {
            return null;
        }
        var places = _channelMixes.GetValueOrDefault(personId);
        var mix = new ChannelPlace[channels];
        for (var channel = 0; channel < channels; channel++)
        {
            mix[channel] = places?.GetValueOrDefault(channel) ?? Default(channel, channels);
        }
        return mix;
    }

    private static ChannelPlace Default(int channel, int channels)
    {
        var (pan, gain) = MixParticipant.DefaultChannelMix(channel, channels);
        return new ChannelPlace(pan, gain);
    }

    /// A connection's audio arrived: what the host chose for this person applies to it, as a site (its channels'
    /// places), as a production site (what it receives) and as the source others receive unmixed.
    private void ApplySites(Participant participant, Connection connection)
    {
        if (connection.MediaId is not { } mediaId)
        {
            return;
        }
        if (connection.Channels >= MultichannelFrom && _channelMixes.TryGetValue(participant.PersonId, out var places))
        {
            foreach (var (channel, place) in places.Where(p => p.Key < connection.Channels).OrderBy(p => p.Key))
            {
                _pending.Media.Add(new SetChannelMix(mediaId, channel, place.Pan, place.Gain));
            }
        }
        if (_passthroughs.ContainsKey(participant.PersonId))
        {
            ApplyPassthrough(participant);
        }
        foreach (var listenerId in _passthroughs.Where(p => p.Value == participant.PersonId).Select(p => p.Key))
        {
            if (_participants.TryGetValue(listenerId, out var listener))
            {
                ApplyPassthrough(listener);
            }
        }
    }

    /// Tells the engine what <paramref name="listener"/>'s connection receives: its source's channels while both are
    /// connected, else its mix. (A source that left leaves silence in the engine until it is back; its new id comes
    /// through <see cref="ApplySites"/>.)
    private void ApplyPassthrough(Participant listener)
    {
        if (LiveConnection(listener) is not { Via: AudioVia.JackTrip, MediaId: { } listenerMedia })
        {
            return;
        }
        int? sourceMedia = _passthroughs.TryGetValue(listener.PersonId, out var sourceId) && _participants.TryGetValue(sourceId, out var source)
            ? LiveConnection(source)?.MediaId
            : null;
        if (sourceMedia is null && sourceId is not null)
        {
            return; // the source is not connected: nothing to pass through yet, and its mix would be the wrong thing
        }
        _pending.Media.Add(new SetPassthrough(listenerMedia, sourceMedia));
    }

    /// The host may place the channels of a connected site that sends three or more.
    private RoomRefusal? SiteFor(string hostId, string personId, out Connection site)
    {
        site = null!;
        if (!IsHost(hostId))
        {
            return RoomRefusal.NotRoomHost;
        }
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return RoomRefusal.NotInRoom;
        }
        if (LiveConnection(participant) is not { MediaId: not null, Channels: >= MultichannelFrom } live)
        {
            return RoomRefusal.NotMultichannel;
        }
        site = live;
        return null;
    }

    /// The connection that carries a person's audio (one at a time).
    private static Connection? LiveConnection(Participant participant) => participant.Connections.LastOrDefault(c => c.Joined);

    private void RestoreSites(RoomState state)
    {
        foreach (var (personId, places) in state.ChannelMixes ?? new Dictionary<string, IReadOnlyDictionary<int, ChannelPlace>>())
        {
            _channelMixes[personId] = new Dictionary<int, ChannelPlace>(places);
        }
        foreach (var (listenerId, sourceId) in state.Passthroughs ?? new Dictionary<string, string>())
        {
            _passthroughs[listenerId] = sourceId;
        }
    }

    private Dictionary<string, IReadOnlyDictionary<int, ChannelPlace>> SavedChannelMixes() =>
        _channelMixes.ToDictionary(m => m.Key, m => (IReadOnlyDictionary<int, ChannelPlace>)new Dictionary<int, ChannelPlace>(m.Value), StringComparer.Ordinal);

    private Dictionary<string, string> SavedPassthroughs() => new(_passthroughs, StringComparer.Ordinal);

    /// A removed person's places and passthroughs go with them (as listener and as source): whoever received their
    /// channels gets its own mix back.
    private void ForgetSite(string personId)
    {
        _channelMixes.Remove(personId);
        _passthroughs.Remove(personId);
        foreach (var listenerId in _passthroughs.Where(p => p.Value == personId).Select(p => p.Key).ToList())
        {
            _passthroughs.Remove(listenerId);
            if (_participants.TryGetValue(listenerId, out var listener))
            {
                ApplyPassthrough(listener);
            }
        }
    }

    private void ForgetSites()
    {
        _channelMixes.Clear();
        _passthroughs.Clear();
    }
}
