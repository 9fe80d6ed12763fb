// Browser audio for live rooms: microphone → AudioWorklet → binary WebSocket → the room's mixer, and the personal
// mix back into the worklet's playback buffer. Frame format and buffering policy: docs/protocol.md.
// The Blazor room page drives it through IJSRuntime; window.loki.audio exposes the same state for diagnostics.

import { goertzel } from './tone-level.js';
import { problem, problemError } from './audio-readiness.js';

let context = null;       // AudioContext at 48 kHz
let stream = null;        // the microphone
let source = null;
let node = null;          // the worklet node
let worker = null;        // owns the WebSocket (room-audio-socket.js)
let connected = false;
let opening = null;       // { resolve, reject } while a connection opens
let meterElement = null;
let listener = null;      // DotNetObjectReference of the page
let statsTimer = null;
let lastLevel = 0;
let historyRequests = new Map();
let historyId = 0;
let micMuted = false;
let presenceTimer = null;
let reportedPath = null;  // the figures last told to the page ("your sound reaches the others in ≈ N ms")
let linkPolicy = 'safe';  // the room's policy on a bad link (tight or safe), which the playback buffer follows
const counters = { sent: 0, received: 0, dropped: 0, underruns: 0, malformed: 0, buffered: 0, rttMs: null, clockOffsetMs: null };

/**
 * How the audio context and the playback buffer are set up. The defaults are what the product uses; a measurement
 * (docs/benchmarks.md §7) stores others under `loki.audio.tuning` in localStorage before the page opens audio, to
 * compare side by side in one run: latencyHint 'interactive' or 0 (the smallest the browser offers), playback 'lean'
 * or 'fixed' (the previous buffer).
 */
function tuning() {
  const chosen = { latencyHint: 0, playback: 'lean' };
  try {
    const stored = JSON.parse(window.localStorage.getItem('loki.audio.tuning') || 'null');
    if (stored && (stored.latencyHint === 0 || ['interactive', 'balanced', 'playback'].includes(stored.latencyHint))) {
      chosen.latencyHint = stored.latencyHint;
    }
    if (stored && (stored.playback === 'lean' || stored.playback === 'fixed')) {
      chosen.playback = stored.playback;
    }
  } catch {
    // storage blocked or unreadable: the defaults
  }
  return chosen;
}

function constraints(deviceId) {
  // Music, not speech: no echo cancellation, noise suppression or automatic gain.
  const audio = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 };
  if (deviceId) {
    audio.deviceId = { exact: deviceId };
  }
  return { audio, video: false };
}

/** Throws a text key the page shows in the reader's language when audio cannot work here (audio-readiness.js). */
function ensureUsable() {
  const reason = problem();
  if (reason) {
    throw problemError(reason);
  }
}

/** getUserMedia, with a refusal by the reader or the browser's settings as its own text key. */
async function microphone(deviceId) {
  ensureUsable();
  try {
    return await navigator.mediaDevices.getUserMedia(constraints(deviceId));
  } catch (error) {
    if (error && (error.name === 'NotAllowedError' || error.name === 'SecurityError')) {
      throw problemError('MicrophoneDenied');
    }
    throw error;
  }
}

/** The microphones the browser offers. Asks for permission first so the labels are filled in. */
export async function listDevices() {
  ensureUsable();
  if (!stream) {
    const probe = await microphone(null);
    probe.getTracks().forEach((t) => t.stop());
  }
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'audioinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `#${i + 1}` }));
}

/** Opens the microphone and the worklet; the level meter runs from here on, nothing is sent yet. */
export async function start(deviceId, meterId, page) {
  ensureUsable();
  await stopPreview();
  listener = page || null;
  meterElement = meterId ? document.getElementById(meterId) : null;
  context = new AudioContext({ sampleRate: 48000, latencyHint: tuning().latencyHint });
  await context.audioWorklet.addModule(new URL('./room-audio-worklet.js', import.meta.url));
  stream = await microphone(deviceId);
  source = context.createMediaStreamSource(stream);
  node = new AudioWorkletNode(context, 'loki-room-audio', {
    numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit',
  });
  node.port.onmessage = (event) => onWorklet(event.data);
  // Audio frames travel worklet ⇄ worker over a channel of their own; the main thread only steers.
  worker = new Worker(new URL('./room-audio-socket.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => onWorker(event.data);
  const channel = new MessageChannel();
  node.port.postMessage({ type: 'port', port: channel.port1 }, [channel.port1]);
  worker.postMessage({ type: 'port', port: channel.port2 }, [channel.port2]);
  source.connect(node);
  node.connect(context.destination);
  if (context.state !== 'running') {
    await context.resume();
  }
  statsTimer = setInterval(() => {
    node && node.port.postMessage({ type: 'stats' });
    worker && worker.postMessage({ type: 'counters' });
    reportPath();
  }, 250);
  return context.sampleRate;
}

function onWorker(message) {
  if (message.type === 'counters') {
    Object.assign(counters, message.counters);
  } else if (message.type === 'open') {
    connected = true;
    opening && opening.resolve();
    opening = null;
  } else if (message.type === 'failed') {
    opening && opening.reject(new Error(message.reason || 'audio socket failed'));
    opening = null;
  } else if (message.type === 'closed') {
    connected = false;
    node && node.port.postMessage({ type: 'send', enabled: false });
    listener && listener.invokeMethodAsync('AudioClosed', message.reason || '');
  }
}

function onWorklet(message) {
  if (message.type === 'level') {
    lastLevel = message.peak;
    if (meterElement) {
      meterElement.value = message.peak;
    }
  } else if (message.type === 'stats') {
    counters.dropped = message.stats.dropped;
    counters.underruns = message.stats.underruns;
    counters.buffered = message.stats.buffered;
    counters.played = message.stats.received;
    counters.playback = message.stats.playback;
    counters.linkPolicy = message.stats.linkPolicy;
    counters.playbackMarginFrames = message.stats.target;
    counters.underrunWindows = message.stats.underrunWindows;
    counters.windows = message.stats.windows;
    counters.playbackWaitFrames = message.stats.playbackWaitFrames;
    counters.bursts = message.stats.bursts;
    counters.reanchors = message.stats.reanchors;
  } else if (message.type === 'pulses') {
    const resolve = historyRequests.get(message.id);
    historyRequests.delete(message.id);
    if (resolve) {
      resolve(message);
    }
  } else if (message.type === 'history') {
    const resolve = historyRequests.get(message.id);
    historyRequests.delete(message.id);
    if (resolve) {
      resolve(message.samples);
    }
  }
}

/** Connects to the room: the URL is the join answer's WebSocket path, the token its single-use audio token. */
export async function connect(deviceId, meterId, path, token, page) {
  if (!node) {
    await start(deviceId, meterId, page);
  }
  await disconnectSocket('');
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  node.port.postMessage({ type: 'reset', playback: tuning().playback, policy: linkPolicy });
  reportedPath = null;
  setMicrophoneMuted(false);
  await new Promise((resolve, reject) => {
    opening = { resolve, reject };
    worker.postMessage({ type: 'connect', url: url.toString() });
  });
  node.port.postMessage({ type: 'send', enabled: true });
}

/**
 * The room's link policy ('tight' or 'safe', the room view's LinkPolicy): the page's playback buffer keeps the delay
 * short and fades over what comes late (tight), or grows on a bad link so nothing is lost (safe), as the server's
 * buffer for this browser does. Applies at once to a connected buffer and to every later connection.
 */
export function setLinkPolicy(policy) {
  linkPolicy = policy === 'tight' ? 'tight' : 'safe';
  if (node) {
    node.port.postMessage({ type: 'policy', policy: linkPolicy });
  }
}

async function disconnectSocket(reason) {
  connected = false;
  if (node) {
    node.port.postMessage({ type: 'send', enabled: false });
  }
  if (worker) {
    worker.postMessage({ type: 'disconnect', reason });
  }
}

/** Leaves the room's audio; the microphone and meter stay on. */
export async function disconnect() {
  await disconnectSocket('');
}

async function stopPreview() {
  await disconnectSocket('');
  if (statsTimer) {
    clearInterval(statsTimer);
    statsTimer = null;
  }
  if (worker) {
    worker.terminate();
    worker = null;
  }
  if (stream) {
    stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }
  if (context) {
    await context.close();
    context = null;
  }
  node = null;
  source = null;
  micMuted = false;
}

/**
 * Mutes the microphone in this browser: it is taken off the worklet, which goes on sending silence (the room keeps
 * the connection and its timing), and the level meter drops to zero.
 */
export function setMicrophoneMuted(muted) {
  if (!source || !node || micMuted === !!muted) {
    micMuted = !!muted && !!source;
    return;
  }
  micMuted = !!muted;
  if (micMuted) {
    source.disconnect(node);
  } else {
    source.connect(node);
  }
}

const PROBE_HZ = 3100;
const PROBE_BEEPS = 6;
const PROBE_MS = 160;

/**
 * The headphones check. Music runs with echo cancellation off, so loudspeakers feed the room back into the microphone.
 * Plays PROBE_BEEPS short beeps at PROBE_HZ and compares the microphone's energy at that frequency during each beep with
 * the gap after it. Speakers make nearly every beep stand out of its gap; a sound of the room's own that happens to
 * fall on one beep does not. Needs the microphone on (start). Returns { echo, beepsHeard, differenceDb }.
 */
export async function checkHeadphones() {
  if (!context || !source) {
    throw new Error('Room.Headphones.MicrophoneFirst');
  }
  if (context.state !== 'running') {
    await Promise.race([context.resume(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  }
  if (context.state !== 'running') {
    // The browser keeps sound off until the reader touches the page; the next click on the check will do.
    throw new Error('Room.Headphones.AudioBlocked');
  }
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  analyser.smoothingTimeConstant = 0;
  source.connect(analyser);
  const bin = Math.round(PROBE_HZ * analyser.fftSize / context.sampleRate);
  const data = new Float32Array(analyser.frequencyBinCount);
  const level = () => {
    analyser.getFloatFrequencyData(data);
    return Math.max(data[bin - 1], data[bin], data[bin + 1]);
  };
  const gain = context.createGain();
  gain.gain.value = 0;
  const oscillator = context.createOscillator();
  oscillator.frequency.value = PROBE_HZ;
  oscillator.connect(gain).connect(context.destination);
  const period = (2 * PROBE_MS) / 1000;
  const start = context.currentTime + 0.05;
  for (let i = 0; i < PROBE_BEEPS; i++) {
    gain.gain.setValueAtTime(0.25, start + i * period);
    gain.gain.setValueAtTime(0, start + i * period + PROBE_MS / 1000);
  }
  oscillator.start(start);
  oscillator.stop(start + PROBE_BEEPS * period);
  const on = Array.from({ length: PROBE_BEEPS }, () => []);
  const off = Array.from({ length: PROBE_BEEPS }, () => []);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const end = start + PROBE_BEEPS * period;
  const giveUp = performance.now() + PROBE_BEEPS * period * 1000 + 3000;
  while (context.currentTime < end && performance.now() < giveUp) {
    const elapsed = context.currentTime - start;
    const beep = Math.floor(elapsed / period);
    // Sampled away from the edges of each beep, where the speaker and the room still ring.
    const into = (elapsed - beep * period) * 1000;
    if (elapsed > 0 && beep < PROBE_BEEPS) {
      if (into > 40 && into < PROBE_MS - 20) {
        on[beep].push(level());
      } else if (into > PROBE_MS + 60 && into < 2 * PROBE_MS - 20) {
        off[beep].push(level());
      }
    }
    await sleep(10);
  }
  source.disconnect(analyser);
  oscillator.disconnect();
  const median = (values) => {
    const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
    return finite.length === 0 ? -160 : finite[Math.floor(finite.length / 2)];
  };
  const differences = on.map((levels, i) => median(levels) - median(off[i]));
  const beepsHeard = differences.filter((d) => d > 10).length;
  return { echo: beepsHeard >= PROBE_BEEPS - 1, beepsHeard, differenceDb: median(differences) };
}

/** Tells the page every intervalMs that this tab is still open, until stop(). */
export function startPresence(page, intervalMs) {
  clearInterval(presenceTimer);
  presenceTimer = setInterval(() => {
    page.invokeMethodAsync('Heartbeat').catch(() => {});
  }, intervalMs);
}

/** Everything off: socket, microphone, audio context. */
export async function stop() {
  clearInterval(presenceTimer);
  presenceTimer = null;
  await stopPreview();
  listener = null;
  meterElement = null;
}

/** Counters for tests and diagnostics: frames sent and received, dropped stale blocks, playback underruns. */
function stats() {
  return { ...counters, connected, inputPeak: lastLevel };
}

/**
 * Amplitude (0..1) at freqHz in the last ~0.5 s of what was actually played, by the Goertzel algorithm:
 * lets a test assert what a participant hears.
 */
async function recentOutputLevel(freqHz) {
  if (!node) {
    return 0;
  }
  const id = ++historyId;
  const samples = await new Promise((resolve) => {
    historyRequests.set(id, resolve);
    node.port.postMessage({ type: 'history', id });
  });
  return goertzel(samples, freqHz, 48000);
}

/** Audio-clock frames at which pulses started in the microphone and in what was played (the last 32 of each). */
async function pulseFrames() {
  if (!node) {
    return null;
  }
  const id = ++historyId;
  return new Promise((resolve) => {
    historyRequests.set(id, resolve);
    node.port.postMessage({ type: 'pulses', id });
  });
}

/**
 * Mouth-to-ear through the room, for a participant who hears themselves (self-monitor on) and plays short pulses:
 * each played pulse paired with the latest microphone pulse before it, in ms of the audio clock, plus the output
 * latency the browser reports (the microphone's own capture latency is not known to the page and not included).
 */
async function loopLatencies() {
  const pulses = await pulseFrames();
  if (!pulses) {
    return [];
  }
  const outputMs = ((context.outputLatency || 0) + (context.baseLatency || 0)) * 1000;
  const trips = [];
  for (const played of pulses.output) {
    const sent = pulses.input.filter((f) => f <= played).pop();
    if (sent !== undefined && played - sent < context.sampleRate) {
      trips.push((played - sent) * 1000 / context.sampleRate + outputMs);
    }
  }
  return trips;
}

/**
 * This browser's side of the trip, in ms (docs/benchmarks.md §7): `inputMs` what the browser reports for its
 * microphone path (0 when it does not say), `sendMs` from a block's audio-clock time to the socket (the burst it was
 * rendered in, the hop to the worker), `receiveMs` from the server's send to the worker, `playbackMs` the wait in the
 * playback buffer (audio clock), `outputMs` what the browser reports for its output path. Medians of recent frames
 * (`sendP99Ms`, `receiveP99Ms`: the 99th percentile of the same 512); null before audio flows.
 */
function path() {
  if (!context || !connected || counters.receiveLagMs == null || counters.playbackWaitFrames == null) {
    return null;
  }
  const track = stream && stream.getAudioTracks()[0];
  const settings = track && track.getSettings ? track.getSettings() : {};
  return {
    inputMs: typeof settings.latency === 'number' ? settings.latency * 1000 : 0,
    sendMs: counters.sendLagMs,
    receiveMs: counters.receiveLagMs,
    sendP99Ms: counters.sendLagP99Ms,
    receiveP99Ms: counters.receiveLagP99Ms,
    playbackMs: counters.playbackWaitFrames * 1000 / context.sampleRate,
    outputMs: ((context.outputLatency || 0) + (context.baseLatency || 0)) * 1000,
    latencyHint: tuning().latencyHint,
    playback: counters.playback,
    linkPolicy: counters.linkPolicy,
    playbackMarginMs: counters.playbackMarginFrames == null ? null : counters.playbackMarginFrames * 1000 / context.sampleRate,
    underrunSeconds: counters.underrunWindows,
    seconds: counters.windows,
    bursts: counters.bursts,
  };
}

/** Tells the page this side of the trip when it moved by a millisecond or more (the page adds the server's part). */
function reportPath() {
  const now = path();
  if (!now || !listener) {
    return;
  }
  const browserMs = now.inputMs + now.receiveMs + now.playbackMs + now.outputMs;
  if (reportedPath !== null && Math.abs(reportedPath - browserMs) < 1) {
    return;
  }
  reportedPath = browserMs;
  listener.invokeMethodAsync('AudioPath', now.inputMs, now.receiveMs + now.playbackMs + now.outputMs,
    counters.rttMs == null ? -1 : counters.rttMs / 2).catch(() => {});
}

window.loki = window.loki || {};
/** What the browser says about its output path, in ms. */
function outputLatency() {
  return context ? { outputLatencyMs: (context.outputLatency || 0) * 1000, baseLatencyMs: (context.baseLatency || 0) * 1000 } : null;
}

/**
 * Where the audio clock stands against the page's clock, to put audio-clock frames (pulseFrames) on the machine's wall
 * clock: frame f is played at timeOrigin + performanceTime + (f / sampleRate - contextTime) * 1000 ms.
 */
function clock() {
  if (!context) {
    return null;
  }
  const { contextTime, performanceTime } = context.getOutputTimestamp();
  return { timeOrigin: performance.timeOrigin, contextTime, performanceTime, sampleRate: context.sampleRate, ...outputLatency() };
}

window.loki.audio = { stats, path, outputLatency, recentOutputLevel, loopLatencies, pulseFrames, clock, listDevices, connected: () => connected };
