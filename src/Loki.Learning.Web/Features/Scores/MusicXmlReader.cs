using System.Globalization;
using System.Text;
using System.Xml;

namespace Loki.Learning.Web.Features.Scores;

/// Reads the bars of a partwise MusicXML document in one forward pass: the first part's measures in written
/// order, each with the time signature in force (carried over from earlier bars, 4/4 until one is given) and
/// its rehearsal mark. The whole document is read so that a cut-off or malformed file is refused.
internal static class MusicXmlReader
{
    private const int MaxMarkLength = 16;
    private const int MaxTitleLength = 200;

    /// Never resolves anything: DTDs are skipped unread, so an entity they declare is an undeclared entity (an error).
    private static XmlReaderSettings Settings => new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = ScoreInspector.MaxUnpackedBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    public static (IReadOnlyList<ScoreMeasure> Measures, string? Title) Read(Stream stream)
    {
        try
        {
            using var reader = XmlReader.Create(stream, Settings);
            return new Walk().Run(reader);
        }
        catch (XmlException)
        {
            throw ScoreInspector.Refuse("Scores.Refusal.NotMusicXml");
        }
        catch (DecoderFallbackException)
        {
            throw ScoreInspector.Refuse("Scores.Refusal.NotMusicXml");
        }
    }

    /// The full-path of the first rootfile in an .mxl's META-INF/container.xml.
    public static string? RootFilePath(Stream container)
    {
        try
        {
            using var reader = XmlReader.Create(container, Settings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rootfile")
                {
                    var path = reader.GetAttribute("full-path");
                    return string.IsNullOrWhiteSpace(path) ? null : path.TrimStart('/');
                }
            }
            return null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private sealed class Walk
    {
        private readonly List<ScoreMeasure> _measures = [];
        private readonly List<string> _beats = [];
        private readonly List<string> _beatTypes = [];
        private readonly StringBuilder _text = new();
        private int _beatsInForce = 4;
        private int _beatTypeInForce = 4;
        private int _partsSeen;
        private bool _inFirstPart;
        private bool _inMeasure;
        private bool _timeSeenInMeasure;
        private bool _inTime;
        private bool _inRehearsal;
        private bool _inTitle;
        private string? _mark;
        private string? _title;
        private string? _element;

        public (IReadOnlyList<ScoreMeasure>, string?) Run(XmlReader reader)
        {
            var sawRoot = false;
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (reader.Depth == 0)
                        {
                            sawRoot = true;
                            if (reader.LocalName == "score-timewise")
                            {
                                throw ScoreInspector.Refuse("Scores.Refusal.Timewise");
                            }
                            if (reader.LocalName != "score-partwise")
                            {
                                throw ScoreInspector.Refuse("Scores.Refusal.NotMusicXml");
                            }
                        }
                        else
                        {
                            Start(reader);
                        }
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        Text(reader.Value);
                        break;
                    case XmlNodeType.EndElement:
                        End(reader.LocalName, reader.Depth);
                        break;
                }
            }
            if (!sawRoot || _measures.Count == 0)
            {
                throw ScoreInspector.Refuse(sawRoot ? "Scores.Refusal.NoMeasures" : "Scores.Refusal.NotMusicXml");
            }
            return (_measures, _title);
        }

        private void Start(XmlReader reader)
        {
            var name = reader.LocalName;
            var empty = reader.IsEmptyElement;
            _element = name;
            if (reader.Depth == 1 && name == "part")
            {
                _partsSeen++;
                _inFirstPart = _partsSeen == 1 && !empty;
            }
            else if (_inFirstPart && reader.Depth == 2 && name == "measure")
            {
                StartMeasure();
                if (empty)
                {
                    EndMeasure();
                }
            }
            else if (_inMeasure && name == "time" && !_timeSeenInMeasure)
            {
                // Several staves may each carry a time element; the first one speaks for the bar.
                _timeSeenInMeasure = true;
                _inTime = !empty;
                _beats.Clear();
                _beatTypes.Clear();
            }
            else if (_inMeasure && name == "rehearsal" && _mark is null && !empty)
            {
                _inRehearsal = true;
                _text.Clear();
            }
            else if (_title is null && _partsSeen == 0 && !empty && (name == "work-title" || name == "movement-title"))
            {
                _inTitle = true;
                _text.Clear();
            }
        }

        private void Text(string value)
        {
            if (_inTime && _element == "beats")
            {
                _beats.Add(value);
            }
            else if (_inTime && _element == "beat-type")
            {
                _beatTypes.Add(value);
            }
            else if ((_inRehearsal || _inTitle) && _text.Length < MaxTitleLength)
            {
                _text.Append(value.AsSpan(0, Math.Min(value.Length, MaxTitleLength - _text.Length)));
            }
        }

        private void End(string name, int depth)
        {
            _element = null;
            if (depth == 1 && name == "part")
            {
                _inFirstPart = false;
            }
            else if (_inFirstPart && depth == 2 && name == "measure")
            {
                EndMeasure();
            }
            else if (_inTime && name == "time")
            {
                _inTime = false;
                ApplyTime();
            }
            else if (_inRehearsal && name == "rehearsal")
            {
                _inRehearsal = false;
                var mark = _text.ToString().Trim();
                _mark = mark.Length == 0 ? null : mark[..Math.Min(mark.Length, MaxMarkLength)];
            }
            else if (_inTitle && (name == "work-title" || name == "movement-title"))
            {
                _inTitle = false;
                var title = _text.ToString().Trim();
                _title = title.Length == 0 ? null : title;
            }
        }

        private void StartMeasure()
        {
            if (_measures.Count >= ScoreInspector.MaxMeasures)
            {
                throw ScoreInspector.Refuse("Scores.Refusal.TooManyMeasures");
            }
            _inMeasure = true;
            _timeSeenInMeasure = false;
            _mark = null;
        }

        private void EndMeasure()
        {
            _inMeasure = false;
            _inTime = false;
            _inRehearsal = false;
            _measures.Add(new ScoreMeasure(_measures.Count + 1, _beatsInForce, _beatTypeInForce, _mark));
        }

        /// beats/beat-type pairs; "3+2" over 8 is 5/8, and 3/8 + 2/4 is 7/8 (all in the shortest beat type given).
        /// A time element without beats (senza-misura) leaves the metre as it was.
        private void ApplyTime()
        {
            if (_beats.Count == 0 && _beatTypes.Count == 0)
            {
                return;
            }
            if (_beats.Count != _beatTypes.Count)
            {
                throw BadTime();
            }
            var types = _beatTypes.Select(ParseBeatType).ToList();
            var unit = types.Max();
            long beats = 0;
            for (var i = 0; i < _beats.Count; i++)
            {
                beats += SumOf(_beats[i]) * (unit / types[i]);
            }
            if (beats is < 1 or > 128)
            {
                throw BadTime();
            }
            _beatsInForce = (int)beats;
            _beatTypeInForce = unit;
        }

        private static long SumOf(string beats)
        {
            long sum = 0;
            foreach (var part in beats.Split('+', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 128)
                {
                    throw BadTime();
                }
                sum += value;
            }
            return sum;
        }

        private static int ParseBeatType(string text) =>
            int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is 1 or 2 or 4 or 8 or 16 or 32 or 64
                ? value
                : throw BadTime();

        private static Refusal BadTime() => ScoreInspector.Refuse("Scores.Refusal.BadTimeSignature");
    }
}
