namespace Loki.Learning.Media.Engine;

/// <summary>
/// An instruction for the engine's mix thread. Posted with <see cref="MediaEngine.Post"/> (never blocks) and applied
/// at the start of the next period; a command that cannot be applied produces a <see cref="CommandRejected"/> event.
/// </summary>
public abstract record MediaCommand;

/// <summary>Opens a room (no effect when already open).</summary>
/// <param name="RoomId">Identifier chosen by the control plane.</param>
public sealed record OpenRoom(string RoomId) : MediaCommand;

/// <summary>Closes a room: every participant gets the exit datagrams and leaves.</summary>
/// <param name="RoomId">The room.</param>
public sealed record CloseRoom(string RoomId) : MediaCommand;

/// <summary>
/// Admits a client name into a room from now on, in addition to what the injected <see cref="IAdmissionPolicy"/>
/// allows (the control plane uses it after it validated a join).
/// </summary>
/// <param name="RoomId">The room the client joins.</param>
/// <param name="ClientName">The JackTrip client name (≤ 63 UTF-8 bytes).</param>
/// <param name="Channels">1 to 16 (the first N channels the client sends are mixed), or <c>null</c> for what it sends.</param>
public sealed record AdmitParticipant(string RoomId, string ClientName, int? Channels = null) : MediaCommand;

/// <summary>Withdraws an admission made with <see cref="AdmitParticipant"/> (a connected client stays).</summary>
/// <param name="ClientName">The client name.</param>
public sealed record RevokeAdmission(string ClientName) : MediaCommand;

/// <summary>Disconnects a participant: it gets the exit datagrams and its slot is freed.</summary>
/// <param name="ParticipantId">Id from <see cref="ParticipantAdmitted"/>.</param>
public sealed record RemoveParticipant(int ParticipantId) : MediaCommand;

/// <summary>Sets how loud a source is in one listener's personal mix.</summary>
/// <param name="ListenerId">The listener.</param>
/// <param name="SourceId">The source heard by the listener.</param>
/// <param name="Gain">Linear gain, 0 (silent) or more; 1 = unity.</param>
public sealed record SetGain(int ListenerId, int SourceId, float Gain) : MediaCommand;

/// <summary>Mutes or unmutes a participant for everyone.</summary>
/// <param name="ParticipantId">The participant.</param>
/// <param name="Muted">Whether nobody hears it.</param>
public sealed record SetMute(int ParticipantId, bool Muted) : MediaCommand;

/// <summary>Lets a participant hear itself (off by default: mix-minus).</summary>
/// <param name="ParticipantId">The participant.</param>
/// <param name="Enabled">Whether its own input is in its mix.</param>
public sealed record SetSelfMonitor(int ParticipantId, bool Enabled) : MediaCommand;

/// <summary>
/// Places one input channel of a participant in the stereo fold-down every listener hears (a hall or studio that
/// sends up to 16 channels). Until the host sets it, three or more channels are spread evenly from left to right at
/// √(2/N) each (<see cref="Mixing.MixParticipant.DefaultChannelMix"/>); one or two keep unity mono/stereo.
/// </summary>
/// <param name="ParticipantId">The participant whose channel is placed.</param>
/// <param name="Channel">The input channel, 0-based (JackTrip's <c>send_1</c> is 0).</param>
/// <param name="Pan">−1 hard left … 0 centre … +1 hard right (equal-power: −3 dB per side at the centre).</param>
/// <param name="Gain">Linear gain, 0 (silent) or more.</param>
public sealed record SetChannelMix(int ParticipantId, int Channel, float Pan, float Gain) : MediaCommand;

/// <summary>
/// Makes a JackTrip participant (a production site) receive another participant's channels unmixed in place of its
/// personal mix: the source's input channel k goes out as channel k, up to the channels the listener asked for
/// (its header's "channels wanted"); channels it asked for beyond the source's are silent. Nothing else is in
/// that stream (no other participant, no click); while the source is muted or absent the stream is silence.
/// <c>null</c> returns the listener to its personal mix.
/// </summary>
/// <param name="ListenerId">The participant who receives the channels; a JackTrip client in the source's room.</param>
/// <param name="SourceId">The participant whose channels it receives, or <c>null</c> for the personal mix again.</param>
public sealed record SetPassthrough(int ListenerId, int? SourceId) : MediaCommand;

/// <summary>Sets a room's master gain, applied to every personal mix.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Gain">Linear gain, 0 or more.</param>
public sealed record SetMasterGain(string RoomId, float Gain) : MediaCommand;

/// <summary>Sets (or with null removes) the metronome a room renders into the mixes of participants who asked for it.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Track">The running timeline, or null when the metronome stops.</param>
public sealed record SetClickTrack(string RoomId, Mixing.ClickTrack? Track) : MediaCommand;

/// <summary>Renders the room's click into one participant's mix (a JackTrip client cannot schedule its own).</summary>
/// <param name="ParticipantId">The participant.</param>
/// <param name="Gain">Linear gain; 0 turns the click off.</param>
/// <param name="LeadMs">Render each click this much early, to make up for the delay from the hub to the participant.</param>
public sealed record SetClick(int ParticipantId, float Gain, double LeadMs) : MediaCommand;

/// <summary>Attaches a tap that sees every period of a room (a recorder, an audience stream). See <see cref="Mixing.IRoomTap"/>.</summary>
/// <param name="RoomId">The room; it must be open.</param>
/// <param name="Tap">The tap.</param>
public sealed record AttachTap(string RoomId, Mixing.IRoomTap Tap) : MediaCommand;

/// <summary>Detaches a tap; it gets <see cref="Mixing.IRoomTap.OnDetached"/>.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Tap">The tap.</param>
public sealed record DetachTap(string RoomId, Mixing.IRoomTap Tap) : MediaCommand;
