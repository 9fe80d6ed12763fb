using Loki.Learning.Web.Hosting;

namespace Loki.Learning.Web.Features.Recordings;

/// Configuration section <c>Recording</c>: how long recordings are kept when the course, ensemble or workshop has not
/// chosen a period of its own (<see cref="RecordingPolicy"/>). The sweep, the recording lists and the privacy
/// statement on /info all read it from here.
public sealed class RecordingOptions : ICheckedSettings
{
    public const string Section = "Recording";

    /// Days a take is kept after it ended (1–3650).
    public int DefaultRetentionDays { get; set; } = RecordingPolicy.DefaultRetentionDays;

    /// Debian's converter of Janus recordings (package janus-tools): cameras and screens of a take become WebM with it.
    public string VideoConverterPath { get; set; } = "/usr/bin/janus-pp-rec";

    public IEnumerable<string> Problems()
    {
        if (DefaultRetentionDays is < 1 or > SetRecordingRetentionHandler.MaxDays)
        {
            yield return SettingsCheck.Problem("Recording:DefaultRetentionDays", "a number of days from 1 to 3650", DefaultRetentionDays);
        }
    }
}
