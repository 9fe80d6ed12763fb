using System.ComponentModel.DataAnnotations;

namespace Loki.Learning.Web.Features.Video;

/// The <c>Video</c> section: where cameras and screens go (docs/decisions/0009-video-through-janus.md).
/// By default the node starts its own Janus from <see cref="JanusPath"/> with a generated configuration; a node
/// without Janus still runs and its rooms say that video is not available.
public sealed class VideoOptions : IValidatableObject
{
    public const string Section = "Video";

    /// False turns video off on this node (rooms say it is not available).
    public bool Enabled { get; set; } = true;

    /// The Janus WebSocket API of an external Janus (<c>ws://host:port</c>) instead of a supervised one.
    public string? Url { get; set; }

    /// The API secret of the external Janus at <see cref="Url"/> (every request carries it). A supervised Janus gets a
    /// fresh random one at each start.
    public string? ApiSecret { get; set; }

    /// The videoroom plugin's admin key of the external Janus (room creation needs it).
    public string? AdminKey { get; set; }

    public string JanusPath { get; set; } = "/usr/bin/janus";

    /// Where Janus' plugins and transports are installed (Debian's layout by default).
    public string JanusLibraryFolder { get; set; } = "/usr/lib/x86_64-linux-gnu/janus";

    /// The loopback port of the supervised Janus' WebSocket API; 0 picks a free one at start.
    [Range(0, 65535)]
    public int WebSocketPort { get; set; }

    /// UDP ports Janus uses for media (ICE/DTLS/SRTP): open these to the browsers' networks.
    [Range(1024, 65535)]
    public int RtpPortMin { get; set; } = 20000;

    [Range(1024, 65535)]
    public int RtpPortMax { get; set; } = 20999;

    /// Interfaces (or address prefixes) Janus gathers ICE candidates on, comma-separated; empty means all.
    /// Tests set <c>lo</c> so media stays on loopback.
    public string? IceEnforceList { get; set; }

    /// Interfaces or address prefixes Janus never offers, comma-separated (Janus' own default: <c>vmnet</c>).
    public string? IceIgnoreList { get; set; }

    /// The public address to put in Janus' host candidates when the node sits behind a 1:1 NAT.
    public string? NatPublicIp { get; set; }

    /// Tests and benchmarks on one machine only: Janus offers 127.0.0.1 alone and can send media to 127.0.0.0/8 alone,
    /// so every picture travels over loopback (docs/decisions/0009). Needs <see cref="LoopbackOnlyShim"/>: Janus
    /// itself never gathers on a loopback interface. Never on a real network, whose browsers need the node's real address.
    public bool LoopbackOnly { get; set; }

    /// The compiled <c>tests/.../Video/loopback-only.c</c> that <see cref="LoopbackOnly"/> loads into Janus
    /// (<c>LD_PRELOAD</c>): it shows Janus the loopback interface as an ordinary one and refuses datagrams to other addresses.
    public string? LoopbackOnlyShim { get; set; }

    /// Most cameras and screens one room forwards at once.
    [Range(2, 256)]
    public int MaxPublishersPerRoom { get; set; } = 64;

    /// Most other people's cameras one page receives at once, besides the large tile and shared screens; the rest of the
    /// grid is a page further on. Every camera a page receives is a stream Janus forwards: 30 pages each receiving 30
    /// cameras is 900 streams, more than a 2-core node forwards, while pages of 8 keep a 30-camera class at about 300
    /// (docs/benchmarks.md §13.5).
    [Range(1, 64)]
    public int CamerasPerPage { get; set; } = 8;

    /// Most pictures one relay connection may receive at once: a page's tiles (a page of cameras, the large tile and
    /// a screen or two) and the page it just turned from, kept a few seconds (video-stage.js keeps within it).
    public int PicturesPerConnection => 2 * CamerasPerPage + 4;

    /// Most relay connections one person holds in one room at once: a laptop and a phone, each with a page that is
    /// reloading while its old connection closes. Each may receive <see cref="PicturesPerConnection"/>.
    [Range(1, 16)]
    public int ConnectionsPerPerson { get; set; } = 4;

    /// The highest bitrate a publisher may send, bits per second (the top simulcast layer fits inside).
    [Range(64_000, 20_000_000)]
    public int MaxPublisherBitrate { get; set; } = 1_500_000;

    /// How long the supervisor waits before starting Janus again after it died (doubling up to a minute).
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// The external Janus' address as a URI, or null when the node supervises its own.
    public Uri? ExternalUri => Url is { Length: > 0 } ? new Uri(Url) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is { Length: > 0 }
            && (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss")))
        {
            yield return new ValidationResult("Video:Url must be the ws:// or wss:// address of a Janus WebSocket API.", [nameof(Url)]);
        }
        if (Url is { Length: > 0 } && string.IsNullOrEmpty(AdminKey))
        {
            yield return new ValidationResult("Video:AdminKey is needed with Video:Url: the node creates each room's video room.", [nameof(AdminKey)]);
        }
        if (RtpPortMin > RtpPortMax)
        {
            yield return new ValidationResult("Video:RtpPortMin must not be above Video:RtpPortMax.", [nameof(RtpPortMin)]);
        }
        if (RestartDelay <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Video:RestartDelay must be longer than zero.", [nameof(RestartDelay)]);
        }
        if (LoopbackOnly && (string.IsNullOrEmpty(LoopbackOnlyShim) || !File.Exists(LoopbackOnlyShim)))
        {
            yield return new ValidationResult("Video:LoopbackOnly needs Video:LoopbackOnlyShim, the compiled loopback-only.c: without it Janus gathers on the machine's other addresses.", [nameof(LoopbackOnlyShim)]);
        }
        foreach (var (name, value) in new[] { (nameof(IceEnforceList), IceEnforceList), (nameof(IceIgnoreList), IceIgnoreList), (nameof(NatPublicIp), NatPublicIp) })
        {
            // These go into a generated configuration file: nothing that could end a quoted string.
            if (value is not null && value.IndexOfAny(['"', '\\', '\n', '\r']) >= 0)
            {
                yield return new ValidationResult($"Video:{name} may not contain quotes, backslashes or line breaks.", [name]);
            }
        }
    }
}
