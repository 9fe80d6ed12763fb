// Maps this page's clock (ms since the epoch) to the AudioContext's clock (seconds) and back, for the metronome.
// AudioContext.getOutputTimestamp pairs a sample with the moment it leaves the speaker, but each pair is taken when
// the audio thread last ran: on a busy machine that thread runs a few ms late now and then, and using each pair as
// it comes would move single clicks by as much, which a musician hears as an uneven beat. The two clocks themselves
// only drift by parts per million, so the map follows the median of the recent pairs and glides towards it, and
// only steps when several pairs in a row say the relation jumped (the context was suspended, the device changed).
// Pure (no DOM), so it is tested in Node with simulated stamps.

export class AudioClockMap {
  constructor(options = {}) {
    this.windowSize = options.windowSize ?? 81;        // pairs kept for the median (about 2 s at one per 25 ms)
    this.slewMsPerSecond = options.slewMsPerSecond ?? 0.5;
    this.stepAboveMs = options.stepAboveMs ?? 15;
    this.jumpAfterPairs = options.jumpAfterPairs ?? 4;
    this.convergeMs = options.convergeMs ?? 1000;     // at first the median itself is used, not glided towards
    this.firstAtMs = null;
    this.farInARow = 0;
    this.farSide = 0;
    this.offsets = [];
    this.offsetMs = null;                               // page ms − context ms, as used for scheduling
    this.lastAtMs = null;
  }

  /** One pair from getOutputTimestamp: the context time (s) and the page's clock (ms since the epoch) it sounds at. */
  addStamp(contextTime, localMs) {
    if (!Number.isFinite(contextTime) || !Number.isFinite(localMs) || contextTime <= 0) {
      return false;
    }
    const offset = localMs - contextTime * 1000;
    if (this.offsetMs === null) {
      this.restartAt(offset, localMs);
      return true;
    }
    // A real jump (the context was suspended, the device changed) shows in every pair from then on; a late audio
    // thread shows in one or two. Several pairs in a row far off in the same direction are a jump: start from there.
    const far = Math.abs(offset - this.offsetMs) > this.stepAboveMs ? Math.sign(offset - this.offsetMs) : 0;
    this.farInARow = far !== 0 && far === this.farSide ? this.farInARow + 1 : (far !== 0 ? 1 : 0);
    this.farSide = far;
    if (this.farInARow >= this.jumpAfterPairs) {
      this.restartAt(offset, localMs);
      return true;
    }
    this.offsets.push(offset);
    if (this.offsets.length > this.windowSize) {
      this.offsets.shift();
    }
    const sorted = [...this.offsets].sort((a, b) => a - b);
    const gap = sorted[Math.floor(sorted.length / 2)] - this.offsetMs;
    const step = localMs - this.firstAtMs <= this.convergeMs ? Infinity : this.slewMsPerSecond * Math.max(0, localMs - this.lastAtMs) / 1000;
    this.offsetMs += Math.max(-step, Math.min(step, gap));
    this.lastAtMs = localMs;
    return true;
  }

  restartAt(offset, localMs) {
    this.offsets = [offset];
    this.offsetMs = offset;
    this.lastAtMs = localMs;
    this.firstAtMs = localMs;
    this.farInARow = 0;
    this.farSide = 0;
  }

  get ready() {
    return this.offsetMs !== null;
  }

  /** Context time (s) at which something sounds at this page-clock moment (ms). */
  contextTimeFor(localMs) {
    return (localMs - this.offsetMs) / 1000;
  }

  /** Page-clock moment (ms) at which context time (s) sounds. */
  localFor(contextTime) {
    return contextTime * 1000 + this.offsetMs;
  }
}
