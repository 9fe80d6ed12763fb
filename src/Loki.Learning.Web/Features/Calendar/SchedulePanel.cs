namespace Loki.Learning.Web.Features.Calendar;

/// A part of "My schedule" another feature contributes ("Live now" from rooms): a component without parameters. The
/// feature registers it; the schedule page renders the registered panels in <see cref="Order"/> above the list.
public sealed record SchedulePanel(Type Component, int Order);
