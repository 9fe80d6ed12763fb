using Loki.Learning.Media.EngineControl;
using Loki.Learning.Media.Recording;

namespace Loki.Learning.Media.Tests.EngineControl;

/// The recorder's frames on the control channel (protocol version 3, types 20–25): each crosses unchanged, and every
/// cut-short, overlong or random body is refused with a protocol error only.
public sealed class RecordingControlTests
{
    private const string Folder = "/var/lib/loki/recordings/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private static readonly RecordedFiles Files = new("mix.wav", 1_796_000_000_123.25, 480_000,
    [
        new RecordedTrack(7, "Tove-Larare-7.wav", 2, 1_796_000_000_130.5, 470_000, 21.75, 0),
        new RecordedTrack(9, "Aula-9-ch3.wav", 1, 1_796_000_000_140, 460_000, 8, 2) { Channel = 3 },
    ], 2);

    [Fact]
    public void AStartCrossesWithItsRoomFolderAndTrackCount()
    {
        var start = new TakeStart("7f0c1e2d3a4b4c5d9e8f7a6b5c4d3e2f", Folder, 80);
        var frame = RecordingControl.StartFrame(new ControlWriter(), start).ToArray();

        Assert.Equal(ControlMessage.StartRecording, (ControlMessage)frame[ControlChannel.HeaderLength]);
        var reader = Body(frame);
        Assert.Equal(start, RecordingControl.ReadStart(ref reader));
    }

    [Fact]
    public void IncludeExcludeAndStopCrossUnchanged()
    {
        var writer = new ControlWriter();
        var include = new TakeInclude(Folder, 12, "Elsa-Harnosand-12", 23.5);

        var reader = Body(RecordingControl.IncludeFrame(writer, include).ToArray());
        Assert.Equal(include, RecordingControl.ReadInclude(ref reader));
        reader = Body(RecordingControl.ExcludeFrame(writer, Folder, 12).ToArray());
        Assert.Equal((Folder, 12), RecordingControl.ReadExclude(ref reader));
        reader = Body(RecordingControl.StopFrame(writer, Folder).ToArray());
        Assert.Equal(Folder, RecordingControl.ReadStop(ref reader));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("the folder '/etc' is outside the node's recordings folder")]
    public void AnAnswerCrossesWithOrWithoutItsRefusal(string? refusal)
    {
        var answer = new TakeAnswer(Folder, refusal);

        var reader = Body(RecordingControl.AnswerFrame(new ControlWriter(), answer).ToArray());

        Assert.Equal(answer, RecordingControl.ReadAnswer(ref reader));
    }

    [Fact]
    public void AnEndedTakeCrossesWithEveryTrackItsChannelAndItsError()
    {
        var writer = new ControlWriter();

        var reader = Body(RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files, "the engine refused to record room 'x'")).ToArray());
        var ended = RecordingControl.ReadEnded(ref reader);

        Assert.Equal(Folder, ended.Folder);
        Assert.Equal("the engine refused to record room 'x'", ended.Error);
        Assert.Equal((Files.MixFileName, Files.StartEpochMs, Files.MixFrames, Files.DroppedBlocks), (ended.Files!.MixFileName, ended.Files.StartEpochMs, ended.Files.MixFrames, ended.Files.DroppedBlocks));
        Assert.Equal(Files.Tracks, ended.Files.Tracks);
        Assert.Equal([null, 3], ended.Files.Tracks.Select(t => t.Channel));

        reader = Body(RecordingControl.EndedFrame(writer, new TakeEnded(Folder, null, "the recorder failed")).ToArray());
        Assert.Equal(new TakeEnded(Folder, null, "the recorder failed"), RecordingControl.ReadEnded(ref reader));
    }

    [Fact]
    public void ValuesOutOfRangeAreRefused()
    {
        var writer = new ControlWriter();
        byte[][] bad =
        [
            RecordingControl.StartFrame(writer, new TakeStart("room", Folder, 0)).ToArray(),
            RecordingControl.StartFrame(writer, new TakeStart("room", Folder, RecordingControl.MaxTracks + 1)).ToArray(),
            RecordingControl.IncludeFrame(writer, new TakeInclude(Folder, 1, "a-1", double.NaN)).ToArray(),
            RecordingControl.IncludeFrame(writer, new TakeInclude(Folder, 1, "a-1", -1)).ToArray(),
            RecordingControl.IncludeFrame(writer, new TakeInclude(Folder, 1, "a-1", double.PositiveInfinity)).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files with { MixFrames = -1 }, null)).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files with { StartEpochMs = double.NaN }, null)).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files with { Tracks = [Files.Tracks[0] with { Channels = 0 }] }, null)).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files with { Tracks = [Files.Tracks[1] with { Channel = 17 }] }, null)).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files with { Tracks = [Files.Tracks[0] with { Frames = -5 }] }, null)).ToArray(),
        ];
        foreach (var frame in bad)
        {
            Assert.False(Decodes(frame.AsSpan(ControlChannel.HeaderLength).ToArray()), $"a {(ControlMessage)frame[ControlChannel.HeaderLength]} out of range decoded");
        }
    }

    /// Every prefix of every frame, a byte left over, and random bodies of the six types: a protocol error or a decoded
    /// frame, never another exception.
    [Fact]
    public void TruncatedAndRandomBodiesAreRefusedWithAProtocolErrorAndNothingElse()
    {
        var writer = new ControlWriter();
        byte[][] frames =
        [
            RecordingControl.StartFrame(writer, new TakeStart("room", Folder, 80)).ToArray(),
            RecordingControl.IncludeFrame(writer, new TakeInclude(Folder, 3, "Tove-3", 12.5)).ToArray(),
            RecordingControl.ExcludeFrame(writer, Folder, 3).ToArray(),
            RecordingControl.StopFrame(writer, Folder).ToArray(),
            RecordingControl.AnswerFrame(writer, new TakeAnswer(Folder, null)).ToArray(),
            RecordingControl.AnswerFrame(writer, new TakeAnswer(Folder, "refused")).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, Files, null)).ToArray(),
            RecordingControl.EndedFrame(writer, new TakeEnded(Folder, null, "failed")).ToArray(),
        ];
        FrameFuzz.AssertCutAndRandomBodiesAreRefused(frames, Decodes, (byte)ControlMessage.StartRecording, (byte)ControlMessage.RecordingEnded, seed: 2026);
    }

    private static ControlReader Body(byte[] frame) => new(frame.AsSpan(ControlChannel.HeaderLength + 1));

    /// Decodes a body as the engine host and the node do; a refusal must be a protocol error.
    private static bool Decodes(byte[] body)
    {
        try
        {
            var reader = new ControlReader(body.AsSpan(1));
            switch ((ControlMessage)body[0])
            {
                case ControlMessage.StartRecording:
                    RecordingControl.ReadStart(ref reader);
                    break;
                case ControlMessage.IncludeInRecording:
                    RecordingControl.ReadInclude(ref reader);
                    break;
                case ControlMessage.ExcludeFromRecording:
                    RecordingControl.ReadExclude(ref reader);
                    break;
                case ControlMessage.StopRecording:
                    RecordingControl.ReadStop(ref reader);
                    break;
                case ControlMessage.RecordingAnswer:
                    RecordingControl.ReadAnswer(ref reader);
                    break;
                default:
                    RecordingControl.ReadEnded(ref reader);
                    break;
            }
            return true;
        }
        catch (ControlProtocolException)
        {
            return false;
        }
    }
}
