// Plays the audience stream: int16 planar messages in, a ring of float stereo, output once `targetFrames` are
// buffered (seconds). When the ring runs dry it goes quiet and fills up to the target again before playing on.

const RING_SECONDS = 12;
const HISTORY = 4096;

class AudiencePlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.target = options.processorOptions.targetFrames;
    this.size = RING_SECONDS * 48000;
    this.left = new Float32Array(this.size);
    this.right = new Float32Array(this.size);
    this.write = 0;
    this.read = 0;
    this.playing = false;
    this.underruns = 0;
    this.history = new Float32Array(HISTORY);
    this.historyAt = 0;
    this.sinceReport = 0;
    this.port.onmessage = (e) => this.receive(e.data);
  }

  buffered() {
    return this.write - this.read;
  }

  receive(m) {
    if (m.type === 'history') {
      const copy = new Float32Array(HISTORY);
      copy.set(this.history.subarray(this.historyAt));
      copy.set(this.history.subarray(0, this.historyAt), HISTORY - this.historyAt);
      this.port.postMessage({ type: 'history', id: m.id, samples: copy });
      return;
    }
    if (m.type !== 'audio') {
      return;
    }
    const silence = m.missed * m.frames;
    const pcm = new Int16Array(m.pcm, 16, m.frames * 2);
    const total = silence + m.frames;
    if (this.buffered() + total > this.size) {
      // Far too much buffered (a stalled output): drop the oldest rather than grow the delay.
      this.read = this.write + total - this.size;
    }
    for (let i = 0; i < silence; i++) {
      const at = (this.write + i) % this.size;
      this.left[at] = 0;
      this.right[at] = 0;
    }
    this.write += silence;
    for (let i = 0; i < m.frames; i++) {
      const at = (this.write + i) % this.size;
      this.left[at] = pcm[i] / 32768;
      this.right[at] = pcm[m.frames + i] / 32768;
    }
    this.write += m.frames;
  }

  process(_inputs, outputs) {
    const [outL, outR] = outputs[0];
    const n = outL.length;
    if (!this.playing && this.buffered() >= this.target) {
      this.playing = true;
    }
    if (this.playing && this.buffered() < n) {
      this.playing = false;
      this.underruns++;
    }
    for (let i = 0; i < n; i++) {
      let l = 0;
      let r = 0;
      if (this.playing) {
        const at = (this.read + i) % this.size;
        l = this.left[at];
        r = this.right[at];
      }
      outL[i] = l;
      if (outR) {
        outR[i] = r;
      }
      this.history[this.historyAt] = (l + r) / 2;
      this.historyAt = (this.historyAt + 1) % HISTORY;
    }
    if (this.playing) {
      this.read += n;
    }
    this.sinceReport += n;
    if (this.sinceReport >= 12000) {
      this.sinceReport = 0;
      this.port.postMessage({ type: 'state', playing: this.playing, buffered: this.buffered(), underruns: this.underruns });
    }
    return true;
  }
}

registerProcessor('audience-player', AudiencePlayer);
