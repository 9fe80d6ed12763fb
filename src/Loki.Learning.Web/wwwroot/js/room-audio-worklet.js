// AudioWorkletProcessor for live-room audio (docs/protocol.md, "Browser side").
// Runs on the audio rendering thread: every 128-frame render quantum it encodes the microphone block as one
// frame for the WebSocket (posted to the main thread, which sends it) and plays the personal mix from a small
// adaptive buffer fed by frames the main thread passes in. No locks, no waiting; a block that arrives while the
// buffer is full pushes the oldest out (stale audio is dropped, never queued).

const HEADER = 24;
const KIND_AUDIO = 1;
const BLOCK = 128;
const MIN_TARGET = 2;      // blocks buffered before playing starts (2 × 2.67 ms)
const MAX_TARGET = 4;      // the target grows after underruns, up to this
const DROP_ABOVE = 6;      // above this many blocks the oldest are dropped down to the target
const HISTORY = 24000;     // played samples kept for diagnostics (0.5 s at 48 kHz)
const PULSES = 32;         // pulse times kept for the latency diagnostics

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
    this.queue = [];          // Float32Array blocks, oldest first
    this.readOffset = 0;      // samples already played of queue[0]
    this.queued = 0;          // samples buffered
    this.playing = false;
    this.target = MIN_TARGET;
    this.stableBlocks = 0;
    this.stats = { sent: 0, received: 0, dropped: 0, underruns: 0, malformed: 0 };
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
      this.queue = [];
      this.queued = 0;
      this.readOffset = 0;
      this.playing = false;
      this.target = MIN_TARGET;
    } else if (message.type === 'stats') {
      this.port.postMessage({ type: 'stats', stats: { ...this.stats, buffered: this.queued, target: this.target * BLOCK } });
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
      this.stats.malformed++;
      return;
    }
    const view = new DataView(buffer);
    const channels = view.getUint8(2);
    const frames = view.getUint16(4, true);
    if (view.getUint8(0) !== 1 || view.getUint8(1) !== KIND_AUDIO || channels < 1 || channels > 2
        || view.getUint8(3) !== 1 || frames < 1 || frames > 1024 || buffer.byteLength !== HEADER + frames * channels * 2) {
      this.stats.malformed++;
      return;
    }
    // Channel 1 only (planar: it comes first); the mix for a mono browser participant is mono anyway.
    const pcm = new Int16Array(buffer, HEADER, frames);
    const block = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      block[i] = pcm[i] / 32767;
    }
    this.queue.push(block);
    this.queued += frames;
    this.stats.received++;
    // Stale audio: keep latency bounded by dropping the oldest down to the target.
    if (this.queued > DROP_ABOVE * BLOCK) {
      while (this.queued > this.target * BLOCK && this.queue.length > 1) {
        const oldest = this.queue.shift();
        this.queued -= oldest.length - this.readOffset;
        this.readOffset = 0;
        this.stats.dropped++;
      }
    }
  }

  process(inputs, outputs) {
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
    // µs since the Unix epoch as little-endian 64-bit, without BigInt (the value stays below 2^53).
    const micros = Math.round(Date.now() * 1000);
    view.setUint32(16, micros % 4294967296, true);
    view.setUint32(20, Math.floor(micros / 4294967296), true);
    const pcm = new Int16Array(buffer, HEADER, frames);
    for (let i = 0; i < frames; i++) {
      const x = Math.max(-1, Math.min(1, samples[i]));
      pcm[i] = Math.round(x * 32767);
    }
    (this.socket || this.port).postMessage(buffer, [buffer]);
    this.stats.sent++;
  }

  play(output) {
    if (!this.playing && this.queued >= this.target * BLOCK) {
      this.playing = true;
    }
    let written = 0;
    if (this.playing) {
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
      if (written < output.length) {
        // Ran dry: count it, wait for the (now larger) target before playing again.
        this.stats.underruns++;
        this.playing = false;
        this.target = Math.min(MAX_TARGET, this.target + 1);
        this.stableBlocks = 0;
      } else if (++this.stableBlocks > 3750 && this.target > MIN_TARGET) {
        // Ten seconds without an underrun: try a shorter buffer again.
        this.target--;
        this.stableBlocks = 0;
      }
    }
    output.fill(0, written);
    this.outputPulses.scan(output, currentFrame);
    for (let i = 0; i < output.length; i++) {
      this.history[this.historyAt] = output[i];
      this.historyAt = (this.historyAt + 1) % HISTORY;
    }
  }
}

registerProcessor('loki-room-audio', LokiRoomAudio);
