namespace Loki.Learning.Web.Features.Notices;

/// A part of the privacy statement on /info that another feature contributes (what recordings keeps, and for how
/// long): a component without parameters, rendered in <see cref="Order"/>. The feature registers it, so the
/// information point does not point at recordings.
public sealed record InfoSection(Type Component, int Order);
