namespace Loki.Learning.Media.Tests.Engine;

/// <summary>
/// Engine tests run one after another: each runs a real-time mix thread and paced clients, and on a shared two-core
/// machine several at once would starve each other and test the scheduler instead of the hub.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LoopbackEngineCollection
{
    public const string Name = "Loopback engine";
}
