namespace Loki.Learning.Media.Engine;

/// <summary>
/// Why the mix thread did not apply a <see cref="MediaCommand"/> (<see cref="CommandRejected.Refusal"/>). A code, not
/// text: whoever shows it to a person words it in their language.
/// </summary>
public enum CommandRefusal
{
    /// <summary>Applied; never carried by a <see cref="CommandRejected"/> event.</summary>
    None,

    /// <summary>The command names no room (an empty room id).</summary>
    RoomIdMissing,

    /// <summary>The client name is longer than a JackTrip name may be (63 UTF-8 bytes).</summary>
    ClientNameTooLong,

    /// <summary>Channels other than 1 to 16 or none.</summary>
    ChannelsOutOfRange,

    /// <summary>A <see cref="RevokeAdmission"/> for a name no <see cref="AdmitParticipant"/> admitted.</summary>
    NotAdmittedByCommand,

    /// <summary>No participant (attached or waiting to be) has this id, or it has not joined its room yet.</summary>
    NoSuchParticipant,

    /// <summary>A <see cref="SetGain"/> whose listener and source have not both joined the same room.</summary>
    NotInSameRoom,

    /// <summary>A gain that is not a finite number of 0 or more, or a click lead that is not finite.</summary>
    GainOutOfRange,

    /// <summary>A <see cref="SetChannelMix"/> for a channel the participant does not send.</summary>
    NoSuchChannel,

    /// <summary>A pan that is not a finite number from −1 (left) to +1 (right).</summary>
    PanOutOfRange,

    /// <summary>A <see cref="SetPassthrough"/> for a participant whose transport cannot carry unmixed channels (only JackTrip clients can).</summary>
    PassthroughNotSupported,

    /// <summary>The room is not open.</summary>
    RoomNotOpen,

    /// <summary>An <see cref="AttachTap"/> for a tap that is already attached to the room.</summary>
    TapAlreadyAttached,

    /// <summary>A <see cref="DetachTap"/> for a tap that is not attached to the room.</summary>
    TapNotAttached,

    /// <summary>A command type the engine does not know.</summary>
    UnknownCommand,
}
