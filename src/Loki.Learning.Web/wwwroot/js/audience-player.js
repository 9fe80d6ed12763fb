// The audience stream: a listen-only WebSocket carrying the room's mix (docs/protocol.md §10), played through an
// AudioWorklet with a buffer of seconds, so network hiccups never reach the ear. The registration page drives it;
// window.loki.audience exposes its state for diagnostics and tests.

import { goertzel } from './tone-level.js';

const HEADER = 16;
const TARGET_SECONDS = 2;

let context = null;
let node = null;
let socket = null;
let listener = null;
let meter = null;
let meterTimer = null;
let lastState = null;
let historyId = 0;
const historyRequests = new Map();
const counters = { received: 0, gaps: 0, malformed: 0, underruns: 0, bufferedSeconds: 0, state: 'stopped' };

function report(state) {
  counters.state = state;
  if (state !== lastState) {
    lastState = state;
    listener?.invokeMethodAsync('AudienceStateAsync', state);
  }
}

/** Starts listening to the stream at `path` (same origin); `meterId` is a <meter> that shows the level. */
export async function listen(path, meterId, dotnet) {
  await stop();
  listener = dotnet;
  meter = document.getElementById(meterId);
  context = new AudioContext({ sampleRate: 48000, latencyHint: 'playback' });
  await context.audioWorklet.addModule(new URL('./audience-worklet.js', import.meta.url));
  node = new AudioWorkletNode(context, 'audience-player', {
    numberOfInputs: 0,
    numberOfOutputs: 1,
    outputChannelCount: [2],
    processorOptions: { targetFrames: TARGET_SECONDS * 48000 },
  });
  node.port.onmessage = (e) => {
    const m = e.data;
    if (m.type === 'state') {
      counters.underruns = m.underruns;
      counters.bufferedSeconds = m.buffered / 48000;
      report(m.playing ? 'playing' : 'buffering');
    } else if (m.type === 'history') {
      historyRequests.get(m.id)?.(m.samples);
      historyRequests.delete(m.id);
    }
  };
  node.connect(context.destination);
  await context.resume();

  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  let expected = null;
  socket.onmessage = (e) => {
    if (!(e.data instanceof ArrayBuffer) || e.data.byteLength < HEADER) {
      counters.malformed++;
      return;
    }
    const view = new DataView(e.data);
    const channels = view.getUint8(1);
    const frames = view.getUint16(2, true);
    const sequence = view.getUint32(4, true);
    if (view.getUint8(0) !== 1 || channels !== 2 || e.data.byteLength !== HEADER + frames * channels * 2) {
      counters.malformed++;
      return;
    }
    // Missed messages (the server skips a listener that falls behind) are played as silence, keeping the timing.
    const missed = expected === null ? 0 : Math.min((sequence - expected) >>> 0, 96);
    counters.gaps += missed;
    expected = (sequence + 1) >>> 0;
    counters.received++;
    node?.port.postMessage({ type: 'audio', missed, frames, pcm: e.data }, [e.data]);
  };
  socket.onclose = (e) => {
    socket = null;
    report(e.reason || 'closed');
  };
  report('buffering');
  meterTimer = setInterval(async () => {
    if (meter) {
      meter.value = Math.min(1, await level());
    }
  }, 250);
}

export async function stop() {
  clearInterval(meterTimer);
  meterTimer = null;
  if (socket) {
    socket.onclose = null;
    socket.close();
    socket = null;
  }
  if (context) {
    await context.close();
    context = null;
    node = null;
  }
  counters.state = 'stopped';
  lastState = null;
}

async function history() {
  if (!node) {
    return new Float32Array(0);
  }
  const id = ++historyId;
  return await new Promise((resolve) => {
    historyRequests.set(id, resolve);
    node.port.postMessage({ type: 'history', id });
  });
}

/** RMS of what was played in the last ~85 ms. */
async function level() {
  const samples = await history();
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    sum += samples[i] * samples[i];
  }
  return samples.length ? Math.sqrt(sum / samples.length) * Math.SQRT2 : 0;
}

/** Amplitude of `freqHz` in what was played recently. */
async function recentOutputLevel(freqHz) {
  return goertzel(await history(), freqHz, 48000);
}

window.loki = window.loki || {};
window.loki.audience = { stats: () => ({ ...counters }), level, recentOutputLevel, listening: () => socket !== null };
