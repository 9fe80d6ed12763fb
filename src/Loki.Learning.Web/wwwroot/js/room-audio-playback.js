// The worklet's playback buffer for the room's mix (docs/protocol.md §8.3). No DOM, no worklet globals, so Node runs it
// in tests (Rooms/RoomAudioPlaybackTests) on simulated arrivals and render quanta.
//
// The browser renders audio in bursts: its output device asks for several 128-frame quanta at once (about 10 ms of
// them with headless Chromium's 'interactive' output), while frames from the server arrive one every 2.67 ms. A block
// that arrives just after a burst waits for the next; that wait is the least a playback buffer can add, and the
// arrivals themselves fill it. The 'lean' buffer therefore never waits to reach a target before playing: it plays what
// it has, fills a dry moment with a short fade (counted as an underrun: the missing time is then added to the delay,
// which is exactly how much more this burst pattern needed), and once a second drops whatever audio it never needed
// (the least it held after any quantum of the last second) beyond a margin that grows by a block for every second with
// an underrun and falls back after some calm seconds. The previous buffer ('fixed': wait for 2–4 blocks, grow on
// underruns, drop above 6) held those blocks on top of what the bursts already kept: a second buffer's worth.
//
// How far the margin may grow, how soon it falls back, and how much audio counts as a backlog follow the room's link
// policy (docs/benchmarks.md §3.2, §7.1), as the server's jitter buffer does: tight (ensemble playing) keeps the delay
// short and lets a rare late block be faded over; safe (lessons) lets the buffer grow on a bad link so nothing is lost.

export const BLOCK = 128;
const DECLICK = 64;           // frames over which a step at a discontinuity is ramped away
const WINDOW_QUANTA = 375;    // one second of render quanta at 48 kHz
const QUICK_QUANTA = 94;      // a quarter of that: a large excess (a backlog) goes sooner
const WAITS = 512;            // recent waits kept for the median

/**
 * The lean buffer's limits per room policy. `maxMargin`: the most spare audio kept on purpose; `coverFrames`: the
 * longest dry moment that makes the margin grow; `calmWindows`: seconds without one before the margin comes down a
 * block; `quickExcess`: spare audio above the margin that is dropped after a quarter of a second rather than a whole
 * one; `cap`: more than this is a backlog after a stall, dropped at once down to the margin plus `afterCap`;
 * `afreshAfterDry`: a dry moment does not keep the delay it added (pullLean).
 * Tight: on a quiet machine the down path's frames arrive within a block of their turn (§7.1), so at most two blocks
 * of margin are kept, and only for dry moments of one block (the ordinary wobble); a longer one (a hiccup of a thread
 * on the way) is faded over and its backlog dropped within a quarter of a second. Safe: a lossy TCP link stalls the
 * frames for 1.25 round trips plus the jitter (§3.2, 20–25 ms on the target link), so the margin may grow to 10 blocks
 * (26.7 ms) and backlogs up to 128 ms are played, not dropped.
 */
export const POLICIES = Object.freeze({
  tight: Object.freeze({
    maxMargin: 2 * BLOCK, coverFrames: BLOCK, calmWindows: 4, quickExcess: 2 * BLOCK, cap: 12 * BLOCK, afterCap: BLOCK, afreshAfterDry: true,
  }),
  safe: Object.freeze({
    maxMargin: 10 * BLOCK, coverFrames: 10 * BLOCK, calmWindows: 10, quickExcess: 6 * BLOCK, cap: 48 * BLOCK, afterCap: 4 * BLOCK, afreshAfterDry: false,
  }),
});

/** The room's policy by name; anything else is safe, the rooms' default. */
export function policyOf(name) {
  return name === 'tight' ? 'tight' : 'safe';
}

// The previous buffer, kept for side-by-side measurement (docs/benchmarks.md §7).
const FIXED_MIN = 2;
const FIXED_MAX = 4;
const FIXED_DROP_ABOVE = 6;

export class PlaybackBuffer {
  constructor(mode = 'lean', policy = 'safe') {
    this.mode = mode === 'fixed' ? 'fixed' : 'lean';
    this.policy = policyOf(policy);
    this.limits = POLICIES[this.policy];
    this.queue = [];          // Float32Array blocks, oldest first
    this.readOffset = 0;      // frames already played of queue[0]
    this.queued = 0;          // frames buffered
    this.playing = false;
    this.started = false;     // a first block came (before it, silence is not an underrun)
    this.target = FIXED_MIN;  // fixed mode: blocks to wait for
    this.stableQuanta = 0;
    this.margin = 0;          // lean mode: spare frames kept on purpose
    this.minSpare = Infinity;
    this.minSpareQuick = Infinity;
    this.windowQuanta = 0;
    this.underrunInWindow = false; // a dry moment the margin could have covered happened in this window
    this.dryFrames = 0;       // frames missing in the current dry moment
    this.calmWindows = 0;
    this.lastOut = 0;
    this.declickOffset = 0;
    this.declickLeft = 0;
    this.discontinuity = false;
    this.waits = new Float32Array(WAITS); // frames each block waited before it began to play (audio clock)
    this.waitCount = 0;
    this.windows = 0;         // whole windows (seconds) since the buffer was made
    this.stats = { received: 0, dropped: 0, underruns: 0, underrunWindows: 0 };
  }

  /** The room's link policy changed: the limits follow at once, the audio queued stays (a smaller margin drains it). */
  setPolicy(policy) {
    this.policy = policyOf(policy);
    this.limits = POLICIES[this.policy];
    this.margin = Math.min(this.margin, this.limits.maxMargin);
  }

  /** One decoded block from the server. */
  push(block) {
    // The audio clock plays everything queued before this block first: that is its wait.
    this.waits[this.waitCount % WAITS] = this.queued;
    this.waitCount++;
    this.queue.push(block);
    this.queued += block.length;
    this.started = true;
    this.stats.received++;
    if (this.mode === 'fixed') {
      if (this.queued > FIXED_DROP_ABOVE * BLOCK) {
        this.dropDownTo(this.target * BLOCK);
      }
    } else if (this.queued > this.limits.cap) {
      this.dropDownTo(this.margin + this.limits.afterCap);
      // What follows the stall is measured afresh: the second that held it says nothing about the link now.
      this.minSpare = Infinity;
      this.minSpareQuick = Infinity;
      this.windowQuanta = 0;
      this.underrunInWindow = false;
    }
  }

  /** Fills one render quantum; returns the frames of real audio in it. */
  pull(output) {
    const written = this.mode === 'fixed' ? this.pullFixed(output) : this.pullLean(output);
    this.declick(output, written);
    return written;
  }

  pullLean(output) {
    const written = this.take(output);
    const dry = written < output.length && this.started;
    if (dry) {
      this.stats.underruns++;
      this.dryFrames += output.length - written;
    } else if (this.dryFrames > 0) {
      // A dry moment ended. The margin grows for dry moments it is meant to cover: up to the most a safe buffer keeps,
      // up to one block in a tight one. A longer one (a stall on the way, an audio thread that lost time) is faded over
      // and does not make the buffer keep more for the following seconds.
      if (this.dryFrames <= this.limits.coverFrames) {
        this.underrunInWindow = true;
      }
      this.dryFrames = 0;
    }
    if (dry && this.limits.afreshAfterDry) {
      // Tight: the time a dry moment adds to the delay is not kept. The frames that were late arrive together after
      // it; what the buffer holds from then on is measured afresh, so that backlog goes within a quarter of a second
      // instead of staying for as long as every second has a dry moment of its own.
      this.minSpare = Infinity;
      this.minSpareQuick = Infinity;
    } else {
      this.minSpare = Math.min(this.minSpare, this.queued);
      this.minSpareQuick = Math.min(this.minSpareQuick, this.queued);
    }
    if (++this.windowQuanta % QUICK_QUANTA === 0 && this.windowQuanta < WINDOW_QUANTA) {
      const quick = this.minSpareQuick - this.margin;
      if (Number.isFinite(quick) && quick >= this.limits.quickExcess) {
        // A quarter of a second shows less of the link's wobble than a second: one block of what it never needed stays.
        this.dropFrames(Math.floor(quick / BLOCK) * BLOCK - BLOCK);
        this.minSpare = Infinity;
      }
      this.minSpareQuick = Infinity;
    }
    if (this.windowQuanta >= WINDOW_QUANTA) {
      if (this.underrunInWindow) {
        this.stats.underrunWindows++;
      }
      if (this.underrunInWindow && this.windows > 0) {
        // Not in the first second: the flow is still starting then (the server's buffer fills, the phase of the
        // arrivals against the pulls settles), and what it needed says nothing about the link.
        this.margin = Math.min(this.limits.maxMargin, this.margin + BLOCK);
        this.calmWindows = 0;
      } else if (++this.calmWindows >= this.limits.calmWindows && this.margin > 0) {
        this.margin -= BLOCK;
        this.calmWindows = 0;
      }
      // Audio that stayed unplayed through every quantum of the last second was never needed: drop it, whole blocks.
      const excess = this.minSpare - this.margin;
      if (Number.isFinite(excess) && excess >= BLOCK) {
        this.dropFrames(Math.floor(excess / BLOCK) * BLOCK);
      }
      this.minSpare = Infinity;
      this.minSpareQuick = Infinity;
      this.windowQuanta = 0;
      this.underrunInWindow = false;
      this.windows++;
    }
    return written;
  }

  pullFixed(output) {
    if (!this.playing && this.queued >= this.target * BLOCK) {
      this.playing = true;
    }
    if (!this.playing) {
      return 0;
    }
    const written = this.take(output);
    if (written < output.length) {
      this.stats.underruns++;
      this.playing = false;
      this.target = Math.min(FIXED_MAX, this.target + 1);
      this.stableQuanta = 0;
    } else if (++this.stableQuanta > 3750 && this.target > FIXED_MIN) {
      this.target--;
      this.stableQuanta = 0;
    }
    return written;
  }

  /** Copies queued audio into output; returns the frames copied. */
  take(output) {
    let written = 0;
    while (written < output.length && this.queue.length > 0) {
      const head = this.queue[0];
      const n = Math.min(output.length - written, head.length - this.readOffset);
      output.set(head.subarray(this.readOffset, this.readOffset + n), written);
      written += n;
      this.readOffset += n;
      this.queued -= n;
      if (this.readOffset === head.length) {
        this.queue.shift();
        this.readOffset = 0;
      }
    }
    return written;
  }

  dropDownTo(frames) {
    while (this.queued > frames && this.queue.length > 1) {
      const oldest = this.queue.shift();
      this.queued -= oldest.length - this.readOffset;
      this.readOffset = 0;
      this.stats.dropped++;
      this.discontinuity = true;
    }
  }

  dropFrames(frames) {
    let left = frames;
    while (left > 0 && this.queue.length > 1) {
      const head = this.queue[0];
      const n = Math.min(left, head.length - this.readOffset);
      this.readOffset += n;
      this.queued -= n;
      left -= n;
      if (this.readOffset === head.length) {
        this.queue.shift();
        this.readOffset = 0;
        this.stats.dropped++;
      }
    }
    this.discontinuity = true;
  }

  /** Ramps away the step at a discontinuity (a drop, or audio after a dry moment); a dry moment fades out. */
  declick(output, written) {
    if (this.discontinuity && written > 0) {
      this.declickOffset = this.lastOut - output[0];
      this.declickLeft = DECLICK;
      this.discontinuity = false;
    }
    for (let i = 0; i < written && this.declickLeft > 0; i++, this.declickLeft--) {
      output[i] += this.declickOffset * this.declickLeft / DECLICK;
    }
    if (written < output.length) {
      // Hold the last sample and let it decay (about 60 frames to 5%) instead of stepping to silence.
      let held = written > 0 ? output[written - 1] : this.lastOut;
      for (let i = written; i < output.length; i++) {
        held *= 0.95;
        output[i] = held;
      }
      this.declickLeft = 0;
      this.discontinuity = true;
    }
    if (output.length > 0) {
      this.lastOut = output[output.length - 1];
    }
  }

  /** Median of the recent waits, in frames of the audio clock; null before any block. */
  medianWaitFrames() {
    const n = Math.min(this.waitCount, WAITS);
    if (n === 0) {
      return null;
    }
    const sorted = Array.from(this.waits.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.floor(n / 2)];
  }

  /** Frames buffered now and the level the buffer aims at. */
  get aimFrames() {
    return this.mode === 'fixed' ? this.target * BLOCK : this.margin;
  }
}
