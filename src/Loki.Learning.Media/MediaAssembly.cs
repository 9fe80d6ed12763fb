namespace Loki.Learning.Media;

/// <summary>Anchor type for the data-plane assembly (used by dependency checks and registration).</summary>
public static class MediaAssembly
{
    /// <summary>Version of the wire formats this library speaks; bumped when a frame layout changes.</summary>
    public const int WireVersion = 1;
}
