namespace Loki.Learning.Media.Tests.Interop;

/// <summary>
/// Tests with real JackTrip peers share one xunit collection, so they run one after another: on a 2-core
/// machine several JACK servers at once would disturb the timing each of them measures.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class RealPeers
{
    public const string Collection = "real JackTrip peers";
    public static readonly TimeSpan ConnectLimit = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan RoundTripSettle = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RoundTripWindow = TimeSpan.FromSeconds(4);
}
