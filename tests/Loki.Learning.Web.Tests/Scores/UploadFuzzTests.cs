using Loki.Learning.Web.Features.Music;
using System.Diagnostics;
using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.Scores;
using static Loki.Learning.Web.Tests.Scores.ScoreFiles;

namespace Loki.Learning.Web.Tests.Scores;

/// Seeded mutations of valid files: every one is either accepted with sane bars and pages or refused with a
/// translated reason. Anything else (an unhandled exception, a hang) fails the test with the seed to replay it.
public sealed class UploadFuzzTests
{
    private static readonly HashSet<string> Reasons = new(
        System.Xml.Linq.XDocument.Load(Path.Combine(Localization.TranslationTests.RepositoryRoot(), "src", "Loki.Learning.Web", "Features", "Localization", "Text.resx"))
            .Root!.Elements("data").Select(d => (string)d.Attribute("name")!));

    [Fact]
    public void ThreeThousandMutatedMusicXmlFilesAreAcceptedSanelyOrRefusedWithAReason()
    {
        var valid = Utf8(Seeded("march-in-two-and-three.musicxml"));
        var compressed = Compressed(Seeded("polska-from-mittnorden.musicxml"));
        var outcome = Run(3000, seed: 20261125, random => random.Next(4) == 0 ? ("piece.mxl", Mutate(random, compressed)) : ("piece.musicxml", Mutate(random, valid)));

        Assert.True(outcome.Accepted > 0 && outcome.Refused > 0, $"{outcome.Accepted} accepted, {outcome.Refused} refused");
    }

    [Fact]
    public void TwoThousandMutatedPdfsAreAcceptedSanelyOrRefusedWithAReason()
    {
        var valid = Pdf(pages: 3);
        var outcome = Run(2000, seed: 1125, random => ("score.pdf", Mutate(random, valid)));

        Assert.True(outcome.Refused > 0, $"{outcome.Accepted} accepted, {outcome.Refused} refused");
    }

    private static (int Accepted, int Refused) Run(int cases, int seed, Func<Random, (string FileName, byte[] Content)> make)
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        var (accepted, refused) = (0, 0);
        for (var i = 0; i < cases; i++)
        {
            var (fileName, content) = make(random);
            try
            {
                var inspection = ScoreInspector.Inspect(fileName, content);
                AssertSane(inspection);
                accepted++;
            }
            catch (Refusal refusal)
            {
                Assert.True(Reasons.Contains(refusal.ReasonKey), $"case {i}: untranslated reason {refusal.ReasonKey}");
                refused++;
            }
            catch (Exception exception)
            {
                Assert.Fail($"case {i} of seed {seed} ({fileName}, {content.Length} bytes): {exception}");
            }
        }
        // Thousands of cases in a few seconds, even on a busy two-core machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{cases} cases took {clock.Elapsed}");
        return (accepted, refused);
    }

    private static void AssertSane(ScoreInspection inspection)
    {
        if (inspection.Kind == ScoreKind.Pdf)
        {
            Assert.InRange(inspection.PageCount, 1, ScoreInspector.MaxPages);
            Assert.Empty(inspection.Measures);
            return;
        }
        Assert.InRange(inspection.Measures.Count, 1, ScoreInspector.MaxMeasures);
        for (var i = 0; i < inspection.Measures.Count; i++)
        {
            var bar = inspection.Measures[i];
            Assert.Equal(i + 1, bar.Bar);
            Assert.InRange(bar.Beats, 1, 128);
            Assert.Contains(bar.BeatType, new[] { 1, 2, 4, 8, 16, 32, 64 });
            Assert.True(bar.Mark is null || bar.Mark.Length is > 0 and <= 16);
        }
    }

    /// One to four of: flip bytes, cut the file, drop or repeat a slice, splice in markup-ish noise.
    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = new List<byte>(valid);
        for (var n = random.Next(1, 5); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    for (var k = random.Next(1, 8); k > 0; k--)
                    {
                        bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    }
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 200), bytes.Count - at));
                    break;
                case 3:
                    var length = Math.Min(random.Next(1, 300), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 4:
                    string[] noise = ["<", ">", "&", "&lol;", "<![CDATA[", "]]>", "<beats>", "</beats>", "<beat-type>0</beat-type>", "<measure>", "</part>", "obj", "endobj", "<<", ">>", "/Pages", "stream", "xref", "%%EOF", "\0", "9999999999"];
                    bytes.InsertRange(at, System.Text.Encoding.UTF8.GetBytes(noise[random.Next(noise.Length)]));
                    break;
                default:
                    bytes[at] = (byte)(bytes[at] ^ (1 << random.Next(8)));
                    break;
            }
        }
        return [.. bytes];
    }
}
