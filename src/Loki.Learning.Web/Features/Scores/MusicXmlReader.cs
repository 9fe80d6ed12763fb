using Loki.Learning.Web.Features.Music;
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
        /// A written measure before it is numbered: numbers depend on the measures around it.
        private readonly record struct Written(int Beats, int BeatType, string? Mark, double Length, bool Implicit);

        private readonly List<Written> _measures = [];
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
        private bool _inInterchangeable;
        private bool _inRehearsal;
        private bool _inTitle;
        private string? _mark;
        private string? _title;
        private string? _element;

        // Where the notes have got to in the current measure, in quarter notes (backup and forward move it; a voice
        // that starts later or a second staff is read after a backup, so the measure is as long as the furthest point).
        private double _divisions = 1;
        private bool _implicit;
        private double _position;
        private double _furthest;
        private double _lastNoteStart;
        private string? _timed;
        private bool _chord;
        private bool _grace;
        private double _duration;

        // Page 1 credits: the one typed "title", else the largest centred words.
        private bool _inCredit;
        private bool _creditOnFirstPage;
        private bool _creditIsTitle;
        private bool _creditCentred;
        private double _creditSize;
        private readonly StringBuilder _creditText = new();
        private string? _creditTitle;
        private (double Size, string Text)? _largestCredit;

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
            return (Numbered(), _title ?? _creditTitle ?? _largestCredit?.Text);
        }

        /// Bar numbers as musicians count them: a first bar shorter than its metre (or marked implicit) is the pickup,
        /// bar 0; a later implicit measure (the rest of a bar split around a repeat sign, or an uncounted bar) keeps
        /// the number of the bar before it; every other measure is the next bar.
        private List<ScoreMeasure> Numbered()
        {
            var numbered = new List<ScoreMeasure>(_measures.Count);
            var number = 0;
            for (var i = 0; i < _measures.Count; i++)
            {
                var m = _measures[i];
                if (i == 0)
                {
                    // A piece of one bar has no upbeat: a pickup leads into a bar after it.
                    number = _measures.Count > 1 && (m.Implicit || m.Length < m.Beats - ScoreBars.Tolerance) ? 0 : 1;
                }
                else if (!m.Implicit)
                {
                    number++;
                }
                numbered.Add(new ScoreMeasure(i + 1, m.Beats, m.BeatType, m.Mark, number, m.Length));
            }
            return numbered;
        }

        private void Start(XmlReader reader)
        {
            var name = reader.LocalName;
            var empty = reader.IsEmptyElement;
            var depth = reader.Depth;
            _element = name;
            if (depth == 1 && name == "part")
            {
                _partsSeen++;
                _inFirstPart = _partsSeen == 1 && !empty;
            }
            else if (depth == 1 && name == "credit" && !empty)
            {
                _inCredit = true;
                var page = reader.GetAttribute("page");
                _creditOnFirstPage = page is null || page.Trim() == "1";
                _creditIsTitle = false;
                _creditCentred = false;
                _creditSize = 0;
                _creditText.Clear();
            }
            else if (_inCredit && depth == 2 && name == "credit-words")
            {
                if (_creditText.Length == 0)
                {
                    _creditCentred = reader.GetAttribute("justify") == "center" || reader.GetAttribute("halign") == "center";
                }
                _creditSize = Math.Max(_creditSize, FontSize(reader.GetAttribute("font-size")));
            }
            else if (_inFirstPart && depth == 2 && name == "measure")
            {
                StartMeasure(reader.GetAttribute("implicit") == "yes");
                if (empty)
                {
                    EndMeasure();
                }
            }
            else if (_inMeasure && depth == 3 && name is "note" or "backup" or "forward")
            {
                _timed = empty ? null : name;
                _chord = false;
                _grace = false;
                _duration = 0;
            }
            else if (_timed == "note" && depth == 4 && name is "chord" or "grace")
            {
                _chord |= name == "chord";
                _grace |= name == "grace";
            }
            else if (_inMeasure && name == "time" && !_timeSeenInMeasure)
            {
                // Several staves may each carry a time element; the first one speaks for the bar.
                _timeSeenInMeasure = true;
                _inTime = !empty;
                _beats.Clear();
                _beatTypes.Clear();
            }
            else if (_inTime && name == "interchangeable")
            {
                // An alternate signature printed beside the real one (3/4 with 6/8 in brackets): shown, not counted.
                _inInterchangeable = !empty;
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
            if (_inTime && !_inInterchangeable && _element == "beats")
            {
                _beats.Add(value);
            }
            else if (_inTime && !_inInterchangeable && _element == "beat-type")
            {
                _beatTypes.Add(value);
            }
            else if (_timed is not null && _element == "duration")
            {
                _duration = ParseDuration(value);
            }
            else if (_inMeasure && _element == "divisions")
            {
                _divisions = double.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var divisions) && divisions > 0
                    ? divisions
                    : throw ScoreInspector.Refuse("Scores.Refusal.NotMusicXml");
            }
            else if (_inCredit && _element == "credit-type")
            {
                _creditIsTitle |= value.Trim() == "title";
            }
            else if (_inCredit && _element == "credit-words" && _creditText.Length < MaxTitleLength)
            {
                _creditText.Append(value.AsSpan(0, Math.Min(value.Length, MaxTitleLength - _creditText.Length)));
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
            else if (_inCredit && depth == 1 && name == "credit")
            {
                _inCredit = false;
                EndCredit();
            }
            else if (_inFirstPart && depth == 2 && name == "measure")
            {
                EndMeasure();
            }
            else if (_timed is not null && depth == 3 && name == _timed)
            {
                EndTimed();
            }
            else if (_inInterchangeable && name == "interchangeable")
            {
                _inInterchangeable = false;
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
                var title = OneLine(_text.ToString());
                _title = title.Length == 0 ? null : title;
            }
        }

        private void StartMeasure(bool isImplicit)
        {
            if (_measures.Count >= ScoreInspector.MaxMeasures)
            {
                throw ScoreInspector.Refuse("Scores.Refusal.TooManyMeasures");
            }
            _inMeasure = true;
            _timeSeenInMeasure = false;
            _mark = null;
            _implicit = isImplicit;
            _position = 0;
            _furthest = 0;
            _lastNoteStart = 0;
            _timed = null;
        }

        private void EndMeasure()
        {
            _inMeasure = false;
            _inTime = false;
            _inInterchangeable = false;
            _inRehearsal = false;
            _timed = null;
            // In beats of the bar's beat type. A bar with no timed notes (an empty bar, a whole-bar rest written
            // without a duration) and an overfull one are read as full: the printed time signature is what players count.
            var length = Math.Round(_furthest * _beatTypeInForce / 4, 6);
            if (length <= 0 || length > _beatsInForce - ScoreBars.Tolerance)
            {
                length = _beatsInForce;
            }
            _measures.Add(new Written(_beatsInForce, _beatTypeInForce, _mark, length, _implicit));
        }

        /// A note moves the position by its duration (a chord's later notes and grace notes do not); backup and
        /// forward move it back and on.
        private void EndTimed()
        {
            var quarters = _duration / _divisions;
            switch (_timed)
            {
                case "backup":
                    _position = Math.Max(0, _position - quarters);
                    break;
                case "forward":
                    _position += quarters;
                    break;
                default:
                    if (_grace)
                    {
                        break;
                    }
                    if (_chord)
                    {
                        _furthest = Math.Max(_furthest, _lastNoteStart + quarters);
                        break;
                    }
                    _lastNoteStart = _position;
                    _position += quarters;
                    break;
            }
            _furthest = Math.Max(_furthest, _position);
            _timed = null;
        }

        private void EndCredit()
        {
            var text = OneLine(_creditText.ToString());
            if (!_creditOnFirstPage || text.Length == 0)
            {
                return;
            }
            if (_creditIsTitle)
            {
                _creditTitle ??= text;
            }
            else if (_creditCentred && (_largestCredit is null || _creditSize > _largestCredit.Value.Size))
            {
                _largestCredit = (_creditSize, text);
            }
        }

        private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

        /// Points, or a CSS size name (MusicXML allows both); anything else counts as small.
        private static double FontSize(string? value) => value?.Trim() switch
        {
            null => 0,
            "xx-small" => 7,
            "x-small" => 8,
            "small" => 10,
            "medium" => 12,
            "large" => 14,
            "x-large" => 18,
            "xx-large" => 24,
            var number => double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var size) ? size : 0,
        };

        private static double ParseDuration(string text) =>
            double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and < 1e9
                ? value
                : throw ScoreInspector.Refuse("Scores.Refusal.NotMusicXml");

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
