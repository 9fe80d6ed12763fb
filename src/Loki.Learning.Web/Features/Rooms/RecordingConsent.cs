namespace Loki.Learning.Web.Features.Rooms;

/// Who may be recorded. Consent lives on the person (<c>Person.RecordingConsent</c>): for a pupil it is the guardian's
/// consent given with the request to join an ensemble and kept when a teacher approves it. A room's host starts and stops
/// takes, which is consent enough for their own track. Everyone else without consent on file is left out of the tracks
/// and the stored mix, and the room says so.
public static class RecordingConsent
{
    public static bool Given(bool consentOnFile, RoomRole role) => consentOnFile || role == RoomRole.Host;
}
