using System.Security.Cryptography;

namespace Loki.Learning.Web.Features.People;

public static class SecretTokens
{
    /// 128 random bits, URL-safe: long enough that a feed URL cannot be guessed.
    public static string New() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// Letters and digits that cannot be confused when read aloud or copied by hand (no 0/O, 1/I/L).
    private const string Readable = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public static string NewReadable(int length)
    {
        return string.Create(length, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Readable[RandomNumberGenerator.GetInt32(Readable.Length)];
            }
        });
    }

    private static readonly string[] Words =
    [
        "alder", "birch", "cello", "drum", "echo", "fjord", "glade", "harp", "isle", "juniper",
        "kettle", "lake", "maple", "north", "oboe", "piano", "quill", "river", "snow", "tuba",
        "umber", "viola", "willow", "yarrow", "zither", "aurora", "bell", "cloud", "delta", "ember",
        "flute", "grove", "heron", "iris", "jazz", "kite", "lyre", "moss", "nectar", "otter",
        "pine", "reed", "sonata", "tundra", "vale", "wave", "brook", "canon", "dune", "elk",
    ];

    /// A passphrase a teacher can read out to a pupil: four words and two digits (~ 29 bits).
    public static string NewPassphrase()
    {
        var words = Enumerable.Range(0, 4).Select(_ => Words[RandomNumberGenerator.GetInt32(Words.Length)]);
        return string.Join('-', words) + "-" + RandomNumberGenerator.GetInt32(10, 100);
    }
}
