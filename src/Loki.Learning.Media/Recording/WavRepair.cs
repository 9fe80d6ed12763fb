using System.Buffers.Binary;

namespace Loki.Learning.Media.Recording;

/// <summary>
/// Makes a WAV file left open by a crash or a kill readable: the RIFF and data sizes are rewritten from the file's
/// length (rounded down to whole frames). Audio already on disk is kept; nothing is guessed beyond it.
/// </summary>
public static class WavRepair
{
    /// <summary>Repairs <paramref name="path"/> in place when its sizes disagree with its length.</summary>
    /// <returns>Whether it was changed and the frames it holds, or an error for a file that is not a PCM WAV.</returns>
    public static WavRepairResult Repair(string path)
    {
        if (!File.Exists(path))
        {
            return new WavRepairResult(false, 0, "The file does not exist.");
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Span<byte> header = stackalloc byte[12];
        if (file.Length < 12 || file.Read(header) != 12 || !header[..4].SequenceEqual("RIFF"u8) || !header[8..12].SequenceEqual("WAVE"u8))
        {
            return new WavRepairResult(false, 0, "Not a RIFF/WAVE file.");
        }

        // Walk the chunks up to "data", remembering the format's block size.
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> format = stackalloc byte[16];
        Span<byte> value = stackalloc byte[4];
        var blockAlign = 0;
        while (file.Position + 8 <= file.Length)
        {
            var chunkStart = file.Position;
            file.ReadExactly(chunk);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                if (size < 16 || chunkStart + 8 + 16 > file.Length)
                {
                    return new WavRepairResult(false, 0, "The format chunk is damaged.");
                }
                file.ReadExactly(format);
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(format[12..]);
                file.Position = chunkStart + 8 + size + (size & 1);
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (blockAlign <= 0)
                {
                    return new WavRepairResult(false, 0, "No format chunk before the audio.");
                }
                var dataStart = chunkStart + 8;
                var available = file.Length - dataStart;
                var whole = Math.Min(available - (available % blockAlign), uint.MaxValue - (uint.MaxValue % (uint)blockAlign));
                var changed = size != whole || BinaryPrimitives.ReadUInt32LittleEndian(header[4..8]) != (uint)Math.Min(uint.MaxValue, dataStart - 8 + whole);
                if (changed)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)whole);
                    file.Position = chunkStart + 4;
                    file.Write(value);
                    // A trailing partial frame is cut so every reader sees whole frames.
                    file.SetLength(dataStart + whole);
                    BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)Math.Min(uint.MaxValue, dataStart - 8 + whole));
                    file.Position = 4;
                    file.Write(value);
                    file.Flush(flushToDisk: true);
                }
                return new WavRepairResult(changed, whole / blockAlign, null);
            }
            else
            {
                file.Position = chunkStart + 8 + size + (size & 1);
            }
        }
        return new WavRepairResult(false, 0, "No audio (data chunk) in the file.");
    }
}

/// <summary>What <see cref="WavRepair.Repair"/> found.</summary>
/// <param name="Repaired">The header was rewritten.</param>
/// <param name="Frames">Whole frames of audio in the file.</param>
/// <param name="Error">Why the file could not be read as a WAV; null when it could.</param>
public sealed record WavRepairResult(bool Repaired, long Frames, string? Error);
