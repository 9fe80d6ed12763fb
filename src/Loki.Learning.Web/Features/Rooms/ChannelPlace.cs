namespace Loki.Learning.Web.Features.Rooms;

/// Where one input channel of a multichannel site sits in the stereo fold-down: pan from −1 (left) to +1 (right) and a
/// linear gain (0–4, 1 = as sent).
[GenerateSerializer, Immutable, Alias("Loki.ChannelPlace")]
public sealed record ChannelPlace([property: Id(0)] float Pan, [property: Id(1)] float Gain);
