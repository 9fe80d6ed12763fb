// Estimates how far the server's clock is from this page's clock from ping/pong exchanges (docs/protocol.md §9).
// Each exchange gives the send time and receive time here and the server's receive time there. With
//   up   = server − sent     = offset + delay to the server
//   down = received − server = −offset + delay back
// the smallest up and the smallest down within the window are the least-queued trips in each direction, and
// offset ≈ (min up − min down) / 2. What no exchange can reveal is a path slower one way than the other: that error
// is at most half the best round trip, which the estimator reports as its uncertainty instead of hiding it.
// Pure (no DOM), so the sync harness runs the same code in Node.

export class ClockSync {
  constructor(options = {}) {
    this.windowMs = options.windowMs ?? 20000;       // minima older than this are forgotten: clocks drift
    this.maxSamples = options.maxSamples ?? 256;
    this.convergeMs = options.convergeMs ?? 1500;    // during the first exchanges the offset may jump
    this.slewMsPerSecond = options.slewMsPerSecond ?? 2; // afterwards it glides, so a click never jumps
    this.stepAboveMs = options.stepAboveMs ?? 25;    // ...unless the gap is so large that gliding would take too long
    this.samples = [];
    this.offset = null;
    this.firstAt = null;
    this.lastAt = null;
    this.estimate = null;
    this.uncertainty = null;
    this.bestRtt = null;
  }

  /** One exchange: page clock at send and receive, server clock at its receive (all ms). Returns false if unusable. */
  addSample(sentMs, serverMs, receivedMs) {
    const rtt = receivedMs - sentMs;
    if (!Number.isFinite(rtt) || !Number.isFinite(serverMs) || rtt < 0 || rtt > 10000) {
      return false;
    }
    this.samples.push({ at: receivedMs, up: serverMs - sentMs, down: receivedMs - serverMs, rtt });
    while (this.samples.length > this.maxSamples || (this.samples.length > 1 && this.samples[0].at < receivedMs - this.windowMs)) {
      this.samples.shift();
    }
    let minUp = Infinity;
    let minDown = Infinity;
    let bestRtt = Infinity;
    for (const s of this.samples) {
      minUp = Math.min(minUp, s.up);
      minDown = Math.min(minDown, s.down);
      bestRtt = Math.min(bestRtt, s.rtt);
    }
    this.estimate = (minUp - minDown) / 2;
    this.uncertainty = Math.max(0, (minUp + minDown) / 2);
    this.bestRtt = bestRtt;

    if (this.firstAt === null) {
      this.firstAt = receivedMs;
    }
    const gap = this.offset === null ? Infinity : this.estimate - this.offset;
    if (receivedMs - this.firstAt <= this.convergeMs || Math.abs(gap) > this.stepAboveMs) {
      this.offset = this.estimate;
    } else {
      const step = this.slewMsPerSecond * Math.max(0, receivedMs - this.lastAt) / 1000;
      this.offset += Math.max(-step, Math.min(step, gap));
    }
    this.lastAt = receivedMs;
    return true;
  }

  get ready() {
    return this.offset !== null;
  }

  /** Server time for a moment of this page's clock. */
  toServer(localMs) {
    return localMs + (this.offset ?? 0);
  }

  /** This page's clock for a moment of server time. */
  toLocal(serverMs) {
    return serverMs - (this.offset ?? 0);
  }

  report() {
    return {
      offsetMs: this.offset,
      estimateMs: this.estimate,
      uncertaintyMs: this.uncertainty,
      bestRttMs: this.bestRtt,
      samples: this.samples.length,
    };
  }
}
