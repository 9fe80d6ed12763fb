// Dedicated worker that owns the room's audio WebSocket. The worklet talks to it over a MessagePort of their own, so
// audio frames go audio thread → worker → socket and back without touching the page's main thread, which Blazor
// and layout keep busy: frames leave as steadily as the audio thread makes them (docs/protocol.md §8.3).
// The main thread only asks it to connect or disconnect and reads its counters.

import { pingFrame, readPong } from './clock-frames.js';

let worklet = null;     // MessagePort to the AudioWorkletProcessor
let socket = null;
let pingTimer = null;
let pingSequence = 0;
const counters = { sent: 0, received: 0, malformed: 0, rttMs: null, clockOffsetMs: null };

// Where the time goes on this side (docs/benchmarks.md §7): for each frame sent, how long after its audio-clock time
// it reached the socket (the burst it was rendered in, plus the hop from the audio thread); for each frame received,
// how long after the server stamped it (send loop → loopback or network → this worker). Server and page read the same
// clock on one machine; across machines the second figure is off by the clocks' difference (clockOffsetMs).
const RECENT = 512;
const sendLag = new Float64Array(RECENT);
const receiveLag = new Float64Array(RECENT);
let sendLagCount = 0;
let receiveLagCount = 0;

function stampMicros(data) {
  const view = new DataView(data);
  return view.getUint32(16, true) + view.getUint32(20, true) * 4294967296;
}

function quantile(values, count, q) {
  const n = Math.min(count, RECENT);
  if (n === 0) {
    return null;
  }
  const sorted = Array.from(values.subarray(0, n)).sort((a, b) => a - b);
  return sorted[Math.min(n - 1, Math.floor(n * q))];
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'port') {
    worklet = message.port;
    worklet.onmessage = (e) => {
      // Encoded microphone frames from the worklet, straight to the socket.
      if (e.data instanceof ArrayBuffer && socket && socket.readyState === WebSocket.OPEN) {
        sendLag[sendLagCount++ % RECENT] = ((performance.timeOrigin + performance.now()) * 1000 - stampMicros(e.data)) / 1000;
        socket.send(e.data);
        counters.sent++;
      }
    };
  } else if (message.type === 'connect') {
    connect(message.url);
  } else if (message.type === 'disconnect') {
    close(message.reason || '');
  } else if (message.type === 'counters') {
    // The 99th percentile beside the median: a hiccup on this side shows in the spread between them.
    self.postMessage({
      type: 'counters',
      counters: {
        ...counters,
        sendLagMs: quantile(sendLag, sendLagCount, 0.5),
        sendLagP99Ms: quantile(sendLag, sendLagCount, 0.99),
        receiveLagMs: quantile(receiveLag, receiveLagCount, 0.5),
        receiveLagP99Ms: quantile(receiveLag, receiveLagCount, 0.99),
      },
    });
  }
};

function connect(url) {
  close('');
  sendLagCount = 0;
  receiveLagCount = 0;
  counters.rttMs = null;
  counters.clockOffsetMs = null;
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  socket = ws;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    self.postMessage({ type: 'open' });
    pingTimer = setInterval(ping, 1000);
    ping();
  };
  ws.onmessage = (event) => onSocket(event.data);
  ws.onclose = (event) => {
    if (socket === ws) {
      socket = null;
      clearInterval(pingTimer);
      self.postMessage({ type: opened ? 'closed' : 'failed', reason: event.reason || '' });
    }
  };
}

function close(reason) {
  const ws = socket;
  socket = null;
  clearInterval(pingTimer);
  if (ws && ws.readyState <= WebSocket.OPEN) {
    ws.close(1000, reason);
  }
}

function onSocket(data) {
  if (!(data instanceof ArrayBuffer) || data.byteLength < 24) {
    counters.malformed++;
    return;
  }
  const pong = readPong(data);
  if (pong) {
    const now = (performance.timeOrigin + performance.now()) * 1000;
    const sent = pong.sentMicros;
    const server = pong.serverMicros;
    const rtt = now - sent;
    // Keep the estimate from the fastest exchange seen: least disturbed by queueing.
    if (counters.rttMs === null || rtt / 1000 <= counters.rttMs) {
      counters.rttMs = rtt / 1000;
      counters.clockOffsetMs = (server - (sent + rtt / 2)) / 1000;
    }
    return;
  }
  counters.received++;
  receiveLag[receiveLagCount++ % RECENT] = ((performance.timeOrigin + performance.now()) * 1000 - stampMicros(data)) / 1000;
  if (worklet) {
    // Handed over to the audio thread without copying; the worklet validates it.
    worklet.postMessage(data, [data]);
  }
}

function ping() {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    return;
  }
  socket.send(pingFrame(pingSequence, (performance.timeOrigin + performance.now()) * 1000));
  pingSequence = (pingSequence + 1) >>> 0;
}
