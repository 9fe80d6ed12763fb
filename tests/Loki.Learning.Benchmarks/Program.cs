using BenchmarkDotNet.Running;
using Loki.Learning.Benchmarks.Audience;
using Loki.Learning.Benchmarks.Isolation;
using Loki.Learning.Benchmarks.Rooms;
using Loki.Learning.Benchmarks.SharedMemory;

// `room-fanout [participants] [updates]` measures live-room update fan-out on the real host;
// `cluster-load [participants] [rooms] [seconds] [audio clients per room]` measures two cluster nodes on PostgreSQL with audio;
// `audience-listeners [listeners] [seconds]` measures the audience stream on the real host;
// `mix-isolation [--listeners N] [--users U] [--seconds S] [--mix-cpu C] [--label L]` measures the mix thread with the
// audience (`audience-client`) and page users (`page-load`) in processes of their own;
// `ring-wait [participants] [seconds] [poll-ms]` measures the web side's polling wait on shared-memory rings;
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "room-fanout")
{
    return await RoomFanOut.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "cluster-load")
{
    return await ClusterLoad.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "audience-listeners")
{
    return await AudienceListeners.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "mix-isolation")
{
    return await MixIsolation.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "audience-client")
{
    return await ListenerProcess.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "page-load")
{
    return await PageLoad.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "ring-wait")
{
    return await RingWait.RunAsync(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(RoomFanOut).Assembly).Run(args);
return 0;
