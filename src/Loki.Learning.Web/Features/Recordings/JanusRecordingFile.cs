using System.Buffers.Binary;
using System.Text.Json;

namespace Loki.Learning.Web.Features.Recordings;

/// The info header of a Janus recording (<c>.mjr</c>): "MJR00002", a 16-bit big-endian length, then JSON with the
/// stream's type (<c>t</c>: "v" video, "a" audio, "d" data), codec (<c>c</c>), when the file was made (<c>s</c>) and
/// when its first packet was written (<c>u</c>), both µs since the Unix epoch. Janus writes it with the first packet:
/// a file without it holds no picture.
/// <param name="FirstPacketEpochMs">When the first packet arrived, ms since the Unix epoch: where the video sits on the take's timeline.</param>
public sealed record JanusRecordingFile(string Type, string Codec, double CreatedEpochMs, double FirstPacketEpochMs)
{
    public bool IsVideo => Type == "v";

    /// The container the converter writes for the codec: WebM for VP8/VP9/AV1, MP4 for H.264/H.265.
    public string Extension => Codec is "h264" or "h265" ? ".mp4" : ".webm";

    /// Null when the file is not a Janus recording or has no header yet (nothing was written to it).
    public static JanusRecordingFile? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> start = stackalloc byte[10];
            if (stream.ReadAtLeast(start, 10, throwOnEndOfStream: false) < 10 || !start[..6].SequenceEqual("MJR000"u8))
            {
                return null;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(start[8..]);
            var json = new byte[length];
            if (stream.ReadAtLeast(json, length, throwOnEndOfStream: false) < length)
            {
                return null;
            }
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var created = root.TryGetProperty("s", out var s) && s.TryGetInt64(out var createdUs) ? createdUs / 1000.0 : 0;
            var first = root.TryGetProperty("u", out var u) && u.TryGetInt64(out var firstUs) && firstUs > 0 ? firstUs / 1000.0 : created;
            return new JanusRecordingFile(
                root.TryGetProperty("t", out var t) ? t.GetString() ?? "" : "",
                root.TryGetProperty("c", out var c) ? c.GetString() ?? "" : "",
                created,
                first);
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}
