namespace Loki.Learning.Web.Features.Rooms.EngineProcess;

/// The node's recordings folder, registered by the recording feature: a child engine is started with it
/// (<c>--recordings</c>) and records takes only into folders directly in it, whatever a control frame names.
public sealed record EngineRecordingsFolder(string Path);
