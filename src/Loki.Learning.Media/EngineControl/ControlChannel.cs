namespace Loki.Learning.Media.EngineControl;

/// <summary>
/// The control channel between a node and an engine running in a process of its own (the Hub's <c>engine</c> mode):
/// one Unix domain socket, one connection at a time, carrying length-prefixed binary frames (docs/protocol.md §11).
/// A frame is a 32-bit little-endian body length, then the body: one <see cref="ControlMessage"/> byte and its fields.
/// </summary>
public static class ControlChannel
{
    /// <summary>"LOKE" read as a little-endian 32-bit integer: the first field of both hellos.</summary>
    public const uint Magic = 0x454B4F4C;

    /// <summary>
    /// The protocol version this build speaks; a hello with another version is answered with an error and closed.
    /// Version 2 added the audience ring (<see cref="ControlMessage.AttachAudience"/> … <see cref="ControlMessage.MixTiming"/>);
    /// version 3 browser participants (<see cref="ControlMessage.AttachBrowser"/> … <see cref="ControlMessage.BrowserAnswer"/>)
    /// and the recorder (<see cref="ControlMessage.StartRecording"/> … <see cref="ControlMessage.RecordingEnded"/>).
    /// </summary>
    public const ushort Version = 3;

    /// <summary>Bytes of the length prefix.</summary>
    public const int HeaderLength = 4;

    /// <summary>
    /// The longest body accepted. Commands and events are small; the largest is a click track of many tempo changes
    /// (<see cref="MaxClickSegments"/> × 28 bytes). A longer length prefix cannot be skipped safely: the connection ends.
    /// </summary>
    public const int MaxBodyLength = 256 * 1024;

    /// <summary>The longest string field, in UTF-8 bytes (room ids, client names, reasons, error text).</summary>
    public const int MaxStringBytes = 4096;

    /// <summary>The most segments a carried click track may have.</summary>
    public const int MaxClickSegments = 8192;

    /// <summary>The most participants one <see cref="ControlMessage.Levels"/> frame carries.</summary>
    public const int MaxLevelsPerFrame = 4096;
}

/// <summary>What a frame's body is (its first byte).</summary>
public enum ControlMessage : byte
{
    /// <summary>Both ways, first: magic, version; the engine's hello adds its TCP port and process id.</summary>
    Hello = 1,

    /// <summary>Node → engine: one <see cref="Engine.MediaCommand"/>.</summary>
    Command = 2,

    /// <summary>Engine → node: one <see cref="Engine.MediaEvent"/>.</summary>
    Event = 3,

    /// <summary>Engine → node: a JackTrip client asks to join (request id, name, address).</summary>
    AdmissionRequest = 4,

    /// <summary>Node → engine: the answer to an <see cref="AdmissionRequest"/> (request id, admitted, room, channels).</summary>
    AdmissionAnswer = 5,

    /// <summary>Engine → node: the input levels of the joined participants, about ten times a second.</summary>
    Levels = 6,

    /// <summary>Either way: something the other side sent was refused (text); the connection goes on unless it says it ends.</summary>
    Error = 7,

    /// <summary>Node → engine: stop the engine (clients get the exit datagrams) and exit.</summary>
    Stop = 8,

    /// <summary>
    /// Node → engine: tap a room's mix into a new audience ring file (room id, path in the node's private folder,
    /// generation); answered with <see cref="AudienceAnswer"/>.
    /// </summary>
    AttachAudience = 9,

    /// <summary>Node → engine: stop tapping a room into the ring file at a path, and remove the file (room id, path).</summary>
    DetachAudience = 10,

    /// <summary>Engine → node: the answer to an <see cref="AttachAudience"/> (room id, path, generation, refusal or none).</summary>
    AudienceAnswer = 11,

    /// <summary>Engine → node, once a second: the mix thread's periods, late periods and longest interval (<see cref="MixTimingReport"/>).</summary>
    MixTiming = 12,

    /// <summary>
    /// Node → engine: attach a browser participant whose audio crosses in a new participant ring file (room id, client
    /// name, channels, path in the node's private folder, generation); answered with <see cref="BrowserAnswer"/>.
    /// </summary>
    AttachBrowser = 13,

    /// <summary>Node → engine: the browser participant of the ring file at a path leaves; the file is removed (room id, path).</summary>
    DetachBrowser = 14,

    /// <summary>Engine → node: the answer to an <see cref="AttachBrowser"/> (room id, path, generation, participant id or refusal).</summary>
    BrowserAnswer = 15,

    /// <summary>Node → engine: record a room into a take's folder (<see cref="TakeStart"/>); answered with <see cref="RecordingAnswer"/>.</summary>
    StartRecording = 20,

    /// <summary>Node → engine: record a participant of a take (<see cref="TakeInclude"/>).</summary>
    IncludeInRecording = 21,

    /// <summary>Node → engine: stop recording a participant of a take (folder, participant id).</summary>
    ExcludeFromRecording = 22,

    /// <summary>Node → engine: stop a take (folder); the engine closes its files and sends <see cref="RecordingEnded"/>.</summary>
    StopRecording = 23,

    /// <summary>Engine → node: the answer to a <see cref="StartRecording"/> (<see cref="TakeAnswer"/>).</summary>
    RecordingAnswer = 24,

    /// <summary>Engine → node: a take's files are closed: what was written, or what went wrong (<see cref="TakeEnded"/>).</summary>
    RecordingEnded = 25,
}

/// <summary>A frame that does not follow the control protocol. The message says what was wrong, for a log line.</summary>
/// <param name="message">What was wrong.</param>
public sealed class ControlProtocolException(string message) : Exception(message);

/// <summary>An exception raised in the engine's process, carried over the control channel as its text.</summary>
/// <param name="message">The exception's type and message in the other process.</param>
public sealed class EngineProcessException(string message) : Exception(message);
