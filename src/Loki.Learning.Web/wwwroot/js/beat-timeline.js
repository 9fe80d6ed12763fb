// The room's beat timeline as the server sends it (Features/Music/BeatTimeline.cs): segments of constant tempo
// and metre mapping server time (ms since the Unix epoch) to beats. Pure functions, shared by the page and the
// sync harness (bench/beat-sync.mjs), so the browser and the figures in docs/benchmarks.md compute beats the same way.

function segmentAtTime(timeline, epochMs) {
  const segments = timeline.segments;
  let found = segments[0];
  for (const s of segments) {
    if (s.epochMs <= epochMs) {
      found = s;
    }
  }
  return found;
}

function segmentOfBeat(timeline, beat) {
  const segments = timeline.segments;
  let found = segments[0];
  for (const s of segments) {
    if (s.beat <= beat) {
      found = s;
    }
  }
  return found;
}

const msPerBeat = (s) => 60000 / s.bpm;

export function isRunning(timeline) {
  return !!timeline && timeline.running && timeline.segments && timeline.segments.length > 0;
}

/** The (fractional) beat sounding at server time epochMs. */
export function beatAt(timeline, epochMs) {
  const s = segmentAtTime(timeline, epochMs);
  return s.beat + (epochMs - s.epochMs) / msPerBeat(s);
}

/** Server time (ms since the epoch) at which a beat sounds. */
export function timeOfBeat(timeline, beat) {
  const s = segmentOfBeat(timeline, beat);
  return s.epochMs + (beat - s.beat) * msPerBeat(s);
}

/** Bar, beat in bar (0-based), fraction of the beat, metre; count-in beats are negative. */
export function positionOfBeat(timeline, beat) {
  const s = segmentOfBeat(timeline, beat);
  const into = beat - s.beat;
  const bars = Math.floor(into / s.beatsPerBar);
  const intoBar = into - bars * s.beatsPerBar;
  const whole = Math.floor(intoBar + 1e-9);
  return {
    bar: s.bar + bars,
    beatInBar: whole,
    fraction: Math.max(0, intoBar - whole),
    beatsPerBar: s.beatsPerBar,
    beatUnit: s.beatUnit,
    countIn: beat < 0,
  };
}

/** Loudness class of a click: 2 strong, 1 medium, 0 plain, -1 silent; subdivisions between beats are -2 (soft). */
export function accentOf(timeline, beat, tick, subdivision) {
  if (tick % subdivision !== 0) {
    return -2;
  }
  const position = positionOfBeat(timeline, beat);
  const accents = (timeline.click && timeline.click.accents) || [];
  if (position.beatInBar < accents.length) {
    return accents[position.beatInBar];
  }
  return position.beatInBar === 0 ? 2 : 0;
}
