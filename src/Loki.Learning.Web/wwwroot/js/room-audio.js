// Browser audio for live rooms: microphone → AudioWorklet → binary WebSocket → the room's mixer, and the personal
// mix back into the worklet's playback buffer. Frame format and buffering policy: docs/protocol.md.
// The Blazor room page drives it through IJSRuntime; window.loki.audio exposes the same state for diagnostics.

import { goertzel } from './tone-level.js';

const KIND_PING = 2;
const KIND_PONG = 3;

let context = null;       // AudioContext at 48 kHz
let stream = null;        // the microphone
let source = null;
let node = null;          // the worklet node
let socket = null;
let meterElement = null;
let listener = null;      // DotNetObjectReference of the page
let pingTimer = null;
let statsTimer = null;
let pingSequence = 0;
let lastLevel = 0;
let historyRequests = new Map();
let historyId = 0;
const counters = { sent: 0, received: 0, dropped: 0, underruns: 0, malformed: 0, buffered: 0, rttMs: null, clockOffsetMs: null };

function constraints(deviceId) {
  // Music, not speech: no echo cancellation, noise suppression or automatic gain.
  const audio = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 };
  if (deviceId) {
    audio.deviceId = { exact: deviceId };
  }
  return { audio, video: false };
}

/** The microphones the browser offers. Asks for permission first so the labels are filled in. */
export async function listDevices() {
  if (!stream) {
    const probe = await navigator.mediaDevices.getUserMedia(constraints(null));
    probe.getTracks().forEach((t) => t.stop());
  }
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'audioinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `#${i + 1}` }));
}

/** Opens the microphone and the worklet; the level meter runs from here on, nothing is sent yet. */
export async function start(deviceId, meterId, page) {
  await stopPreview();
  listener = page || null;
  meterElement = meterId ? document.getElementById(meterId) : null;
  context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await context.audioWorklet.addModule(new URL('./room-audio-worklet.js', import.meta.url));
  stream = await navigator.mediaDevices.getUserMedia(constraints(deviceId));
  source = context.createMediaStreamSource(stream);
  node = new AudioWorkletNode(context, 'loki-room-audio', {
    numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit',
  });
  node.port.onmessage = (event) => onWorklet(event.data);
  source.connect(node);
  node.connect(context.destination);
  if (context.state !== 'running') {
    await context.resume();
  }
  statsTimer = setInterval(() => node && node.port.postMessage({ type: 'stats' }), 250);
  return context.sampleRate;
}

function onWorklet(message) {
  if (message instanceof ArrayBuffer) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(message);
      counters.sent++;
    }
  } else if (message.type === 'level') {
    lastLevel = message.peak;
    if (meterElement) {
      meterElement.value = message.peak;
    }
  } else if (message.type === 'stats') {
    counters.dropped = message.stats.dropped;
    counters.underruns = message.stats.underruns;
    counters.malformed = message.stats.malformed;
    counters.buffered = message.stats.buffered;
    counters.played = message.stats.received;
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
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  socket = ws;
  node.port.postMessage({ type: 'reset' });
  await new Promise((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('audio socket failed'));
    ws.onclose = (event) => reject(new Error(event.reason || 'closed'));
  });
  ws.onmessage = (event) => onSocket(event.data);
  ws.onclose = (event) => {
    if (socket === ws) {
      socket = null;
      stopTimers(false);
      node && node.port.postMessage({ type: 'send', enabled: false });
      listener && listener.invokeMethodAsync('AudioClosed', event.reason || '');
    }
  };
  node.port.postMessage({ type: 'send', enabled: true });
  pingTimer = setInterval(ping, 1000);
  ping();
}

function onSocket(data) {
  if (!(data instanceof ArrayBuffer) || data.byteLength < 24) {
    counters.malformed++;
    return;
  }
  const view = new DataView(data);
  if (view.getUint8(1) === KIND_PONG && data.byteLength === 32) {
    const now = Date.now() * 1000;
    const sent = readMicros(view, 16);
    const server = readMicros(view, 24);
    const rtt = now - sent;
    // Keep the estimate from the fastest exchange seen: least disturbed by queueing.
    if (counters.rttMs === null || rtt / 1000 <= counters.rttMs) {
      counters.rttMs = rtt / 1000;
      counters.clockOffsetMs = (server - (sent + rtt / 2)) / 1000;
    }
    return;
  }
  counters.received++;
  // Hand the buffer over to the audio thread without copying.
  node && node.port.postMessage(data, [data]);
}

function readMicros(view, offset) {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 4294967296;
}

function ping() {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    return;
  }
  const buffer = new ArrayBuffer(24);
  const view = new DataView(buffer);
  view.setUint8(0, 1);
  view.setUint8(1, KIND_PING);
  view.setUint32(8, pingSequence, true);
  pingSequence = (pingSequence + 1) >>> 0;
  const micros = Math.round(Date.now() * 1000);
  view.setUint32(16, micros % 4294967296, true);
  view.setUint32(20, Math.floor(micros / 4294967296), true);
  socket.send(buffer);
}

function stopTimers(all) {
  if (pingTimer) {
    clearInterval(pingTimer);
    pingTimer = null;
  }
  if (all && statsTimer) {
    clearInterval(statsTimer);
    statsTimer = null;
  }
}

async function disconnectSocket(reason) {
  const ws = socket;
  socket = null;
  stopTimers(false);
  if (node) {
    node.port.postMessage({ type: 'send', enabled: false });
  }
  if (ws && ws.readyState <= WebSocket.OPEN) {
    ws.close(1000, reason);
  }
}

/** Leaves the room's audio; the microphone and meter stay on. */
export async function disconnect() {
  await disconnectSocket('');
}

async function stopPreview() {
  await disconnectSocket('');
  stopTimers(true);
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
}

/** Everything off: socket, microphone, audio context. */
export async function stop() {
  await stopPreview();
  listener = null;
  meterElement = null;
}

/** Counters for tests and diagnostics: frames sent and received, dropped stale blocks, playback underruns. */
function stats() {
  return { ...counters, connected: socket !== null && socket.readyState === WebSocket.OPEN, inputPeak: lastLevel };
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

window.loki = window.loki || {};
window.loki.audio = { stats, recentOutputLevel, listDevices, connected: () => socket !== null };
