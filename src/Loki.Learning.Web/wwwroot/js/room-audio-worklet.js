// AudioWorkletProcessor for live-room audio (docs/protocol.md, "Browser side").
// Runs on the audio rendering thread: every 128-frame render quantum it encodes the microphone block as one
// frame for the WebSocket (handed to the socket worker, which sends it) and plays the personal mix from the playback
// buffer (room-audio-playback.js) fed by frames the worker passes in. No locks, no waiting; stale audio is dropped,
// never queued.

import { PlaybackBuffer } from './room-audio-playback.js';

const HEADER = 24;
const KIND_AUDIO = 1;
const HISTORY = 24000;     // played samples kept for diagnostics (0.5 s at 48 kHz)
const PULSES = 32;         // pulse times kept for the latency diagnostics
const REANCHOR_MICROS = 20000; // the audio clock may fall this far behind the system clock before it is re-anchored
const ANCHOR_MARGIN_MICROS = 1500; // how far behind the system clock a fresh anchor puts the stamps (Date.now() has ms steps)
const BURST_SIZES = 17;    // render quanta per wake-up of the audio thread, counted up to 16 (and "more")

// Finds the starts of short loud pulses (rising above 0.05 after at least 50 ms below it, and reaching 0.3 within
// 1 ms) by frame number of the audio clock: the microphone's and the played mix's, so their difference is the trip
// through the room.
class PulseFinder {
  constructor() {
    this.quiet = 0;
    this.risingAt = -1;
    this.frames = [];
  }

  scan(samples, firstFrame) {
    for (let i = 0; i < samples.length; i++) {
      const a = Math.abs(samples[i]);
      if (this.risingAt < 0 && a >= 0.05 && this.quiet >= 2400) {
        this.risingAt = firstFrame + i;
      }
      if (this.risingAt >= 0 && a > 0.3) {
        this.frames.push(this.risingAt);
        if (this.frames.length > PULSES) {
          this.frames.shift();
        }
        this.risingAt = -1;
      } else if (this.risingAt >= 0 && firstFrame + i - this.risingAt > 48) {
        this.risingAt = -1;   // a blip, not a pulse
      }
      this.quiet = a < 0.05 ? this.quiet + 1 : 0;
    }
  }
}

class LokiRoomAudio extends AudioWorkletProcessor {
  constructor() {
    super();
    this.sending = false;
    this.sequence = 0;
    this.playback = new PlaybackBuffer('lean');
    this.anchorMicros = null; // system-clock µs of audio-clock frame 0: frames are stamped on the audio clock
    this.reanchors = 0;
    this.lastWakeMs = -1;     // Date.now() of the previous render quantum (ms resolution is enough: bursts are ~10 ms apart)
    this.burstQuanta = 0;
    this.bursts = new Array(BURST_SIZES).fill(0);
    this.malformed = 0;
    this.sent = 0;
    this.history = new Float32Array(HISTORY);
    this.historyAt = 0;
    this.levelPeak = 0;
    this.levelBlocks = 0;
    this.inputPulses = new PulseFinder();
    this.outputPulses = new PulseFinder();
    this.socket = null;       // MessagePort to the socket worker, once connected
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    if (message instanceof ArrayBuffer) {
      this.receive(message);
    } else if (message.type === 'port') {
      // Frames go to and come from the socket worker directly, not through the page's main thread.
      this.socket = message.port;
      this.socket.onmessage = (event) => {
        if (event.data instanceof ArrayBuffer) {
          this.receive(event.data);
        }
      };
    } else if (message.type === 'send') {
      this.sending = message.enabled;
    } else if (message.type === 'reset') {
      this.playback = new PlaybackBuffer(message.playback || 'lean', message.policy);
    } else if (message.type === 'policy') {
      this.playback.setPolicy(message.policy);
    } else if (message.type === 'stats') {
      const p = this.playback;
      this.port.postMessage({ type: 'stats', stats: {
        sent: this.sent, received: p.stats.received, dropped: p.stats.dropped, underruns: p.stats.underruns,
        malformed: this.malformed, buffered: p.queued, target: p.aimFrames, playback: p.mode, linkPolicy: p.policy,
        underrunWindows: p.stats.underrunWindows, windows: p.windows,
        playbackWaitFrames: p.medianWaitFrames(), bursts: [...this.bursts], reanchors: this.reanchors,
      } });
    } else if (message.type === 'pulses') {
      this.port.postMessage({ type: 'pulses', id: message.id, input: [...this.inputPulses.frames], output: [...this.outputPulses.frames] });
    } else if (message.type === 'history') {
      // Oldest first, so the caller sees the played signal in order.
      const copy = new Float32Array(HISTORY);
      copy.set(this.history.subarray(this.historyAt));
      copy.set(this.history.subarray(0, this.historyAt), HISTORY - this.historyAt);
      this.port.postMessage({ type: 'history', id: message.id, samples: copy }, [copy.buffer]);
    }
  }

  // One frame from the server: validated again here (the main thread only forwards).
  receive(buffer) {
    if (buffer.byteLength < HEADER) {
      this.malformed++;
      return;
    }
    const view = new DataView(buffer);
    const channels = view.getUint8(2);
    const frames = view.getUint16(4, true);
    if (view.getUint8(0) !== 1 || view.getUint8(1) !== KIND_AUDIO || channels < 1 || channels > 2
        || view.getUint8(3) !== 1 || frames < 1 || frames > 1024 || buffer.byteLength !== HEADER + frames * channels * 2) {
      this.malformed++;
      return;
    }
    // Channel 1 only (planar: it comes first); the mix for a mono browser participant is mono anyway.
    const pcm = new Int16Array(buffer, HEADER, frames);
    const block = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      block[i] = pcm[i] / 32767;
    }
    this.playback.push(block);
  }

  process(inputs, outputs) {
    this.countBurst();
    const input = inputs[0] && inputs[0][0];
    if (input) {
      let peak = 0;
      for (let i = 0; i < input.length; i++) {
        const a = Math.abs(input[i]);
        if (a > peak) {
          peak = a;
        }
      }
      this.levelPeak = Math.max(this.levelPeak, peak);
      this.inputPulses.scan(input, currentFrame);
      if (++this.levelBlocks >= 19) {       // about every 50 ms
        this.port.postMessage({ type: 'level', peak: this.levelPeak });
        this.levelPeak = 0;
        this.levelBlocks = 0;
      }
      if (this.sending) {
        this.send(input);
      }
    }
    const output = outputs[0][0];
    if (output) {
      this.play(output);
    }
    return true;
  }

  send(samples) {
    const frames = samples.length;
    const buffer = new ArrayBuffer(HEADER + frames * 2);
    const view = new DataView(buffer);
    view.setUint8(0, 1);
    view.setUint8(1, KIND_AUDIO);
    view.setUint8(2, 1);
    view.setUint8(3, 1);
    view.setUint16(4, frames, true);
    view.setUint32(8, this.sequence, true);
    this.sequence = (this.sequence + 1) >>> 0;
    // When the block's first frame was taken, on the audio clock, as µs since the Unix epoch: the blocks of one
    // burst of render quanta carry times 2.67 ms apart although they leave together, so the server schedules them on
    // the audio clock, not on when they happened to arrive. The clock is anchored to the system clock, which the
    // server's one-way estimate compares against: never ahead of it (the graph renders ahead of what it plays, and a
    // stamp from the future would read as a negative trip), and re-anchored when it falls more than 20 ms behind (an
    // audio thread that lost time, or a sound card's clock drifting from the computer's).
    // Little-endian 64-bit without BigInt (the value stays below 2^53).
    const nowMicros = Date.now() * 1000;
    const frameMicros = currentFrame * 1e6 / sampleRate;
    const behind = this.anchorMicros === null ? 0 : nowMicros - (this.anchorMicros + frameMicros);
    if (this.anchorMicros === null || behind < -500 || behind > REANCHOR_MICROS) {
      if (this.anchorMicros !== null) {
        this.reanchors++;
      }
      // A little behind now, so the ordinary wobble of the audio thread does not bring it ahead again.
      this.anchorMicros = nowMicros - frameMicros - ANCHOR_MARGIN_MICROS;
    }
    const micros = Math.round(this.anchorMicros + frameMicros);
    view.setUint32(16, micros % 4294967296, true);
    view.setUint32(20, Math.floor(micros / 4294967296), true);
    const pcm = new Int16Array(buffer, HEADER, frames);
    for (let i = 0; i < frames; i++) {
      const x = Math.max(-1, Math.min(1, samples[i]));
      pcm[i] = Math.round(x * 32767);
    }
    (this.socket || this.port).postMessage(buffer, [buffer]);
    this.sent++;
  }

  /** Counts render quanta per wake-up of the audio thread: quanta less than 1.5 ms apart belong to one burst. */
  countBurst() {
    const now = Date.now();
    if (this.lastWakeMs >= 0 && now - this.lastWakeMs > 1.5) {
      this.bursts[Math.min(BURST_SIZES - 1, this.burstQuanta)]++;
      this.burstQuanta = 0;
    }
    this.burstQuanta++;
    this.lastWakeMs = now;
  }

  play(output) {
    this.playback.pull(output);
    this.outputPulses.scan(output, currentFrame);
    for (let i = 0; i < output.length; i++) {
      this.history[this.historyAt] = output[i];
      this.historyAt = (this.historyAt + 1) % HISTORY;
    }
  }
}

registerProcessor('loki-room-audio', LokiRoomAudio);
