namespace Loki.Learning.Web.Features.Meetings;

/// A section of a course, ensemble or workshop page that another feature contributes (its scores, its recordings):
/// a component with one parameter, <c>OwnerId</c>. The feature registers it; owner pages render the registered
/// sections in <see cref="Order"/> through <see cref="OwnerSections"/>, so courses and ensembles do not point at
/// scores and recordings (those point at meetings, like everything that belongs to an owner).
public sealed record OwnerSection(Type Component, int Order);
