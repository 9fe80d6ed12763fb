namespace Loki.Learning.Web.Features.Localization;

/// Marker for the shared resource files Text.resx (English), Text.sv.resx and Text.nb.resx.
public sealed class Text;
