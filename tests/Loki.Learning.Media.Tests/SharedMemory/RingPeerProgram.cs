using System.Globalization;
using Loki.Learning.Media.Audience;
using Loki.Learning.Media.Engine;
using Loki.Learning.Media.Mixing;
using Loki.Learning.Media.SharedMemory;

namespace Loki.Learning.Media.Tests.SharedMemory;

/// <summary>
/// The other process of the shared-memory tests: this test assembly run as a program (<c>dotnet Loki.Learning.Media.Tests.dll
/// ring-peer ROLE PATH GENERATION</c>), driven by lines on its standard input and answering with lines on its standard
/// output, so every step is ordered by the test and nothing waits on a clock.
/// </summary>
/// <remarks>
/// Roles: <c>engine</c> creates a participant's rings and plays the mix thread (<c>publish N</c>: N output periods whose
/// samples are the period's index, negated on the right; <c>drain</c>: reports every queued input block as
/// <c>input SEQ FRAMES FIRST LAST</c>; <c>close</c>: the participant leaves). <c>transport</c> opens them and plays the
/// web process (<c>write SEQ FRAMES</c>: a stereo block whose left samples are SEQ + i/1000; <c>read</c>: reports every
/// period kept as <c>output SEQ LEFT RIGHT</c>; <c>wait</c>: waits for a period). <c>audience</c> creates an audience ring
/// and taps a room into it (<c>periods N</c>: N periods whose mix is ((n mod 500) + 1) / 1000, negated on the right).
/// Every role answers <c>ok</c> after each command.
/// </remarks>
public static class RingPeerProgram
{
    public const string Verb = "ring-peer";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || args[0] != Verb)
        {
            await Console.Error.WriteLineAsync($"usage: {Verb} engine|transport|audience PATH GENERATION");
            return 2;
        }
        var path = args[2];
        var generation = ulong.Parse(args[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Console.Out.Flush();
        return args[1] switch
        {
            "engine" => RunEngine(path, generation),
            "transport" => await RunTransportAsync(path, generation),
            "audience" => RunAudience(path, generation),
            _ => 2,
        };
    }

    private static int RunEngine(string path, ulong generation)
    {
        var memory = ParticipantRingFile.Create(path, 2, 128, 48000, generation);
        var participant = new ExternalParticipant(1, ParticipantRingLayout.FromHeader(memory), memory, TimeProvider.System, new InputLevelMeter(1), _ => { });
        var planar = new float[2 * 128];
        var published = 0;
        return Serve(line =>
        {
            var words = line.Split(' ');
            switch (words[0])
            {
                case "publish":
                    for (var i = 0; i < int.Parse(words[1], CultureInfo.InvariantCulture); i++, published++)
                    {
                        planar.AsSpan(0, 128).Fill(published);
                        planar.AsSpan(128).Fill(-published);
                        participant.PublishOutput(planar);
                    }
                    break;
                case "drain":
                    while (participant.TryPeekInput(out var block, out var samples))
                    {
                        Say($"input {block.Sequence} {block.Frames} {Number(samples[0])} {Number(samples[block.Frames - 1])}");
                        participant.ReleaseInput();
                    }
                    break;
                case "close":
                    participant.MarkLeft();
                    break;
            }
        });
    }

    private static async Task<int> RunTransportAsync(string path, ulong generation)
    {
        var transport = SharedParticipantTransport.Open(path, generation);
        var output = new float[2 * transport.PeriodFrames];
        string? line;
        Say("ok");
        while ((line = Console.ReadLine()) is not null and not "exit")
        {
            var words = line.Split(' ');
            switch (words[0])
            {
                case "write":
                    var sequence = uint.Parse(words[1], CultureInfo.InvariantCulture);
                    var frames = int.Parse(words[2], CultureInfo.InvariantCulture);
                    var block = new float[2 * frames];
                    for (var i = 0; i < frames; i++)
                    {
                        block[2 * i] = sequence + (i / 1000f);
                        block[(2 * i) + 1] = -sequence;
                    }
                    Say($"wrote {transport.WriteInput(sequence, 0, block)}");
                    break;
                case "read":
                    while (transport.TryReadOutput(output, out var period))
                    {
                        Say($"output {period} {Number(output[0])} {Number(output[1])}");
                    }
                    break;
                case "wait":
                    await transport.WaitForOutputAsync(CancellationToken.None);
                    break;
            }
            Say("ok");
        }
        transport.Dispose();
        return 0;
    }

    private static int RunAudience(string path, ulong generation)
    {
        var tap = new AudienceTap(AudienceRingFile.Create(path, 128, generation));
        var room = new MixingRoom("room", 128);
        var participant = room.AddParticipant(1, 2, 2)!;
        room.AddTap(tap);
        var periods = 0;
        return Serve(line =>
        {
            var words = line.Split(' ');
            if (words[0] == "periods")
            {
                for (var i = 0; i < int.Parse(words[1], CultureInfo.InvariantCulture); i++, periods++)
                {
                    var value = ((periods % 500) + 1) / 1000f;
                    participant.Input[..128].Fill(value);
                    participant.Input[128..].Fill(-value);
                    participant.HasInput = true;
                    room.Mix(periods * 128 / 48.0);
                }
            }
            else if (words[0] == "close")
            {
                room.RemoveTap(tap);
                tap.OnDetached();
            }
        });
    }

    private static int Serve(Action<string> command)
    {
        Say("ok");
        string? line;
        while ((line = Console.ReadLine()) is not null and not "exit")
        {
            command(line);
            Say("ok");
        }
        return 0;
    }

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Say(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
