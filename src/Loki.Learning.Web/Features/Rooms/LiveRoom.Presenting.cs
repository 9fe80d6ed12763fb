using Loki.Learning.Web.Features.Music;

namespace Loki.Learning.Web.Features.Rooms;

/// What the room presents besides the score: who besides the host may share a screen, and the slides (a PDF from the
/// room's own files) with the page everyone sees. The video relay reads the grants from the view
/// (<see cref="RoomView.MayShareScreen"/>) at every screen join and publish, and ends the share of someone whose
/// grant is taken back; the slides panel shows the page.
public sealed partial class LiveRoom
{
    /// People the host allowed to share a screen (hosts always may). Kept while they are members; Remove drops it.
    private readonly HashSet<string> _screenSharers = new(StringComparer.Ordinal);

    /// The PDF everyone sees as slides, or none; its file is served to the room's members by its own feature.
    public ScoreChoice? Slides { get; private set; }

    /// The slide everyone sees, 1-based.
    public int SlidePage { get; private set; } = 1;

    private void RestorePresenting(RoomState state)
    {
        _screenSharers.UnionWith(state.ScreenSharers ?? []);
        Slides = state.Slides;
        SlidePage = Math.Max(1, state.SlidePage);
    }

    /// Whether a person in the room may share a screen now: a host, or someone the host allowed.
    public bool MayShareScreen(string personId) =>
        Open && _participants.TryGetValue(personId, out var participant) && (participant.Role == RoomRole.Host || _screenSharers.Contains(personId));

    /// The host allows a participant to share a screen, or takes it back. Granting a host changes nothing (they always may).
    public RoomOutcome AllowScreenShare(string hostId, string personId, bool allowed)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        if (!_participants.TryGetValue(personId, out var participant))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotInRoom);
        }
        if (participant.Role == RoomRole.Host)
        {
            return Done(changed: false);
        }
        var changed = allowed ? _screenSharers.Add(personId) : _screenSharers.Remove(personId);
        return changed ? Done(persist: true) : Done(changed: false);
    }

    /// The host shows a PDF as slides from page 1, or stops (null). Only a PDF: slides have pages, not bars.
    public RoomOutcome PresentSlides(string hostId, ScoreChoice? slides)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        if (slides is { Kind: not ScoreKind.Pdf })
        {
            return RoomOutcome.Refuse(RoomRefusal.NotSlides);
        }
        Slides = slides;
        SlidePage = 1;
        return Done(persist: true);
    }

    /// The host turns the slides; a page outside the PDF is the first or last one. Nothing to turn without slides.
    public RoomOutcome TurnSlide(string hostId, int page)
    {
        if (!IsHost(hostId))
        {
            return RoomOutcome.Refuse(RoomRefusal.NotRoomHost);
        }
        if (Slides is not { } slides)
        {
            return RoomOutcome.Refuse(RoomRefusal.NoSlides);
        }
        var target = Math.Clamp(page, 1, Math.Max(1, slides.PageCount));
        if (target == SlidePage)
        {
            return Done(changed: false);
        }
        SlidePage = target;
        return Done(persist: true);
    }

    /// A closed room presents nothing and has no grants: the next opening starts clean.
    private void EndPresenting()
    {
        _screenSharers.Clear();
        Slides = null;
        SlidePage = 1;
    }
}
