using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Features.Rooms;

/// A part of the room page another feature contributes (the recording banner and controls): a component with one
/// parameter, <c>Room</c> (<see cref="RoomPanelContext"/>). The feature registers it; the room page renders the
/// registered panels in <see cref="Order"/> without knowing them, so rooms do not depend on those features.
public sealed record RoomPanel(Type Component, int Order);

/// What a room panel is told on every render.
public sealed record RoomPanelContext(Guid RoomId, Actor Actor, bool IsHost, RoomView View);
