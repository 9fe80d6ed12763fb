using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Features.Rooms;

/// A part of the room page another feature contributes (the recording banner and button, the metronome, the score,
/// the cameras): a component with one parameter, <c>Room</c> (<see cref="RoomPanelContext"/>). The feature registers
/// it; the room page renders the registered panels in <see cref="Order"/> at their <see cref="Place"/> without knowing
/// them, so rooms do not depend on those features.
public sealed record RoomPanel(Type Component, int Order, RoomPanelPlace Place = RoomPanelPlace.Banner);

/// Where on the room page a panel goes.
public enum RoomPanelPlace
{
    /// Above the stage, always in view: the recording banner and its controls.
    Banner,

    /// The main stage: what everyone looks at (the score, the cameras).
    Stage,

    /// The side panel beside the stage (the roster as a mixer).
    Side,

    /// The collapsed "Studio connection" panel: JackTrip, the latency budget.
    Studio,

    /// The control bar, always in view: a few compact buttons (start/stop the metronome, record), no headings.
    Controls,
}

/// What a room panel is told on every render.
/// <param name="Description">What the room belongs to (its course, ensemble or workshop is <see cref="RoomDescription.OwnerId"/>).</param>
/// <param name="Me">The reader's place in the roster, once they have entered.</param>
public sealed record RoomPanelContext(Guid RoomId, Actor Actor, bool IsHost, RoomView View, RoomDescription Description, RosterEntry? Me = null);

/// A button another feature puts beside a person in the room's roster (a workshop's "bring on stage"): a component with
/// the parameters <c>Room</c> (<see cref="RoomDescription"/>), <c>Person</c> (<see cref="RosterEntry"/>) and
/// <c>Control</c> (a <c>Func&lt;RoomControl, string?, Task&gt;</c> that acts on that person).
public sealed record RosterAction(Type Component, int Order);

/// Something another feature shows beside every person in the room's roster, to everyone (the video feature's "camera
/// on"): a component with the parameters <c>RoomId</c> (<see cref="Guid"/>) and <c>Person</c> (<see cref="RosterEntry"/>).
public sealed record RosterBadge(Type Component, int Order);
