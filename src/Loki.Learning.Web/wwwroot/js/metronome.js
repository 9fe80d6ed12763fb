// The room's metronome in the page: measures the server clock over /rooms/{id}/clock (clock-sync.js), and schedules
// every click locally in this page's AudioContext at the moment the beat timeline (beat-timeline.js) says it sounds,
// so clicks agree across sites as well as the clocks do, whatever the network delay. Also drives the bar counter
// and the score cursor. docs/protocol.md §9 has the timing; window.loki.metronome exposes it for tests.
import { AudioClockMap } from './audio-clock.js';
import { ClockSync } from './clock-sync.js';
import { pingFrame, readPong } from './clock-frames.js';
import { accentOf, beatAt, isRunning, positionOfBeat, timeOfBeat } from './beat-timeline.js';

const LOOKAHEAD_MS = 200;       // clicks are handed to the audio clock this far ahead (under the 300 ms change lead)
const SCHEDULE_EVERY_MS = 25;
const FAST_PINGS_MS = 2000;     // ping every 50 ms this long after connecting, then every 250 ms
const KEEP_ONSETS = 64;

const SOUNDS = {
  click: { type: 'square', high: 1800, low: 1200, decay: 0.025 },
  wood: { type: 'triangle', high: 1100, low: 800, decay: 0.045 },
  beep: { type: 'sine', high: 1760, low: 880, decay: 0.07 },
};

let roomId = null;
let socket = null;
let pingTimer = null;
let pingSequence = 0;
let connectedAt = 0;
let reconnectTimer = null;
let sync = new ClockSync();
let context = null;
let audioClock = new AudioClockMap();
let timeline = null;
let nextTick = null;            // next tick to schedule, in subdivisions of a beat
let lastScheduledMs = -Infinity; // server time of the last tick handed to the audio clock
let scheduleTimer = null;
let frame = null;
let labels = {};
let counter = null;
let counterId = null;
let attachments = 0;            // which attach is the current one (a component disposed late detaches only its own)
let follow = true;
let shown = '';
let taps = [];
const playing = new Set();      // oscillators not yet finished, so a stop can silence them
const onsets = [];

const localNow = () => performance.timeOrigin + performance.now();
const listenerVolume = () => Number(localStorage.getItem('loki.metronome.volume') ?? '1');
const listenerMuted = () => localStorage.getItem('loki.metronome.muted') === 'true';

/** Starts measuring the clock and following the room's beat. counterId: the element that shows bar and beat. */
export function attach(room, counterElementId, texts) {
  detach();
  roomId = room;
  labels = texts || {};
  counterId = counterElementId || null;
  counter = counterId ? document.getElementById(counterId) : null;
  sync = new ClockSync();
  audioClock = new AudioClockMap();
  connect();
  try {
    context = new AudioContext({ latencyHint: 'interactive' });
  } catch {
    context = null;
  }
  // Browsers keep audio off until the reader touches the page; the first touch turns the click on.
  document.addEventListener('pointerdown', resume, { once: true });
  document.addEventListener('keydown', resume, { once: true });
  resume();
  scheduleTimer = setInterval(schedule, SCHEDULE_EVERY_MS);
  frame = requestAnimationFrame(draw);
  attachments += 1;
  return attachments;
}

function resume() {
  if (context && context.state === 'suspended') {
    context.resume().catch(() => {});
  }
}

function connect() {
  const url = new URL(`/rooms/${roomId}/clock`, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  socket = ws;
  ws.onopen = () => {
    connectedAt = localNow();
    ping();
    pingTimer = setTimeout(pingLoop, 50);
  };
  ws.onmessage = (event) => onPong(event.data);
  ws.onclose = () => {
    clearTimeout(pingTimer);
    if (socket === ws) {
      socket = null;
      reconnectTimer = setTimeout(connect, 2000);
    }
  };
}

function pingLoop() {
  ping();
  pingTimer = setTimeout(pingLoop, localNow() - connectedAt < FAST_PINGS_MS ? 50 : 250);
}

function ping() {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    return;
  }
  socket.send(pingFrame(pingSequence, localNow() * 1000));
  pingSequence = (pingSequence + 1) >>> 0;
}

function onPong(data) {
  const received = localNow();
  const pong = readPong(data);
  if (pong) {
    sync.addSample(pong.sentMicros / 1000, pong.serverMicros / 1000, received);
  }
}

/** The room's timeline as the server holds it (BeatTimeline, camelCase). */
export function setTimeline(next) {
  const wasRunning = isRunning(timeline);
  timeline = next;
  if (!isRunning(timeline)) {
    silence();
    nextTick = null;
    lastScheduledMs = -Infinity;
  } else if (!wasRunning) {
    nextTick = null;
    lastScheduledMs = -Infinity;
  } else {
    // Clicks already handed over lie before any change (changes start at least 300 ms ahead); carry on after them.
    nextTick = null;
  }
  shown = '';
}

export function setFollow(enabled) {
  follow = !!enabled;
}

export function setListener(volume, muted) {
  localStorage.setItem('loki.metronome.volume', String(Math.max(0, Math.min(1, Number(volume)))));
  localStorage.setItem('loki.metronome.muted', String(!!muted));
}

export function listener() {
  return { volume: listenerVolume(), muted: listenerMuted() };
}

/** Records a tap; from the third tap on returns the tempo of the last taps (BPM), else null. */
export function tap() {
  const now = localNow();
  if (taps.length > 0 && now - taps[taps.length - 1] > 2000) {
    taps = [];
  }
  taps.push(now);
  taps = taps.slice(-8);
  if (taps.length < 3) {
    return null;
  }
  const gaps = taps.slice(1).map((t, i) => t - taps[i]).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)];
  return Math.round(600000 / median) / 10;
}

// Audio clock ↔ this page's clock. getOutputTimestamp pairs the sample leaving the speaker now with the moment it
// does, so mapping through it includes the output latency; the pairs are smoothed (audio-clock.js) and read once per
// scheduling pass, so every click of a pass is placed by the same map. Without pairs, outputLatency is subtracted.
function readAudioClock() {
  const stamp = context.getOutputTimestamp ? context.getOutputTimestamp() : null;
  if (stamp && stamp.contextTime > 0 && stamp.performanceTime > 0) {
    audioClock.addStamp(stamp.contextTime, performance.timeOrigin + stamp.performanceTime);
  }
}

function contextTimeFor(localMs) {
  if (audioClock.ready) {
    return audioClock.contextTimeFor(localMs);
  }
  return context.currentTime + (localMs - localNow()) / 1000 - (context.outputLatency || context.baseLatency || 0);
}

function localFor(contextTime) {
  if (audioClock.ready) {
    return audioClock.localFor(contextTime);
  }
  return localNow() + (contextTime - context.currentTime + (context.outputLatency || context.baseLatency || 0)) * 1000;
}

function schedule() {
  if (!isRunning(timeline) || !sync.ready || !context || context.state !== 'running') {
    return;
  }
  readAudioClock();
  const subdivision = (timeline.click && timeline.click.subdivision) || 1;
  const nowServer = sync.toServer(localNow());
  const horizon = nowServer + LOOKAHEAD_MS;
  const firstBeat = timeline.segments[0].beat;
  if (nextTick === null) {
    const from = Math.max(nowServer + 5, lastScheduledMs + 1);
    nextTick = Math.max(Math.ceil(beatAt(timeline, from) * subdivision - 1e-6), firstBeat * subdivision);
  }
  for (let guard = 0; guard < 64; guard++) {
    const beat = nextTick / subdivision;
    const serverMs = timeOfBeat(timeline, beat);
    if (serverMs > horizon) {
      break;
    }
    if (serverMs >= nowServer) {
      sound(beat, nextTick, subdivision, serverMs);
    }
    lastScheduledMs = serverMs;
    nextTick++;
  }
}

function sound(beat, tick, subdivision, serverMs) {
  const level = accentOf(timeline, beat, tick, subdivision);
  const when = Math.max(contextTimeFor(sync.toLocal(serverMs)), context.currentTime);
  const click = timeline.click || { sound: 'click', volume: 0.8 };
  const gain = (click.volume ?? 0.8) * listenerVolume() * ({ 2: 1, 1: 0.75, 0: 0.55, '-2': 0.3 }[level] ?? 0);
  if (level !== -1 && gain > 0 && !listenerMuted()) {
    const voice = SOUNDS[click.sound] || SOUNDS.click;
    const oscillator = context.createOscillator();
    const envelope = context.createGain();
    oscillator.type = voice.type;
    oscillator.frequency.value = level >= 1 ? voice.high : voice.low;
    envelope.gain.setValueAtTime(0.0001, when);
    envelope.gain.exponentialRampToValueAtTime(gain, when + 0.001);
    envelope.gain.exponentialRampToValueAtTime(0.0001, when + voice.decay);
    oscillator.connect(envelope).connect(context.destination);
    oscillator.start(when);
    oscillator.stop(when + voice.decay + 0.01);
    playing.add(oscillator);
    oscillator.onended = () => playing.delete(oscillator);
  }
  if (tick % subdivision === 0) {
    // Where the click leaves the speaker, in this page's clock and mapped to server time.
    const localEpochMs = localFor(when);
    const position = positionOfBeat(timeline, beat);
    onsets.push({ beat, epochMs: sync.toServer(localEpochMs), localEpochMs, bar: position.bar, beatInBar: position.beatInBar + 1, countIn: position.countIn });
    if (onsets.length > KEEP_ONSETS) {
      onsets.shift();
    }
  }
}

function silence() {
  for (const oscillator of playing) {
    try {
      oscillator.stop();
    } catch {
      // Already stopped.
    }
  }
  playing.clear();
}

/** Where the music is now: bar, beat (1-based), count-in, or the bar a start will begin at. */
export function position() {
  if (!timeline) {
    return null;
  }
  if (!isRunning(timeline) || !sync.ready) {
    return { running: false, bar: timeline.startBar, beat: 1, fraction: 0, beatsPerBar: timeline.beatsPerBar, countIn: false };
  }
  const beat = beatAt(timeline, sync.toServer(localNow()));
  if (beat < timeline.segments[0].beat) {
    return { running: true, bar: timeline.startBar, beat: 1, fraction: 0, beatsPerBar: timeline.beatsPerBar, countIn: true, waiting: true };
  }
  const p = positionOfBeat(timeline, beat);
  return { running: true, bar: p.bar, beat: p.beatInBar + 1, fraction: p.fraction, beatsPerBar: p.beatsPerBar, beatUnit: p.beatUnit, countIn: p.countIn };
}

function draw() {
  frame = requestAnimationFrame(draw);
  const p = position();
  if (!p) {
    return;
  }
  const text = !p.running ? (labels.stopped || 'Stopped').replace('{0}', p.bar)
    : p.countIn ? (labels.countIn || 'Count-in {0}').replace('{0}', p.waiting ? '' : p.beat).trim()
      : (labels.bar || 'Bar {0} · beat {1}').replace('{0}', p.bar).replace('{1}', p.beat);
  if (counterId && (!counter || !counter.isConnected)) {
    // The page drew the counter anew (the control bar changed around it): follow the one on the page.
    counter = document.getElementById(counterId);
    shown = '';
  }
  if (text !== shown && counter) {
    counter.textContent = text;
    counter.dataset.bar = p.countIn ? '' : String(p.bar);
    counter.dataset.beat = String(p.beat);
    counter.classList.toggle('downbeat', p.running && p.beat === 1);
    shown = text;
  }
  const score = window.loki && window.loki.score;
  if (follow && score && score.follow) {
    // Bar as the timeline numbers it and beats into it in the bar's beat unit (score-view.js finds the written
    // measure: the pickup sounds in bar 0, the last bar of the count-in). Stopped at the start: the cursor waits
    // at the beginning, on the pickup if there is one.
    const waiting = !p.running || p.waiting;
    score.follow(waiting && p.bar <= 1 ? 0 : p.bar, waiting ? 0 : p.beat - 1 + p.fraction, p.beatUnit);
  }
}

/** Stops everything; with the number attach returned, only when that attach is still the current one. */
export function detach(attachment) {
  if (attachment !== undefined && attachment !== null && attachment !== attachments) {
    return;
  }
  clearInterval(scheduleTimer);
  clearTimeout(pingTimer);
  clearTimeout(reconnectTimer);
  if (frame) {
    cancelAnimationFrame(frame);
  }
  silence();
  const ws = socket;
  socket = null;
  if (ws) {
    ws.close(1000);
  }
  if (context) {
    context.close().catch(() => {});
    context = null;
  }
  timeline = null;
  nextTick = null;
  lastScheduledMs = -Infinity;
  onsets.length = 0;
}

/** The last scheduled clicks of whole beats: [{ beat, epochMs, localEpochMs, bar, beatInBar, countIn }]. */
function recentOnsets() {
  return onsets.map((o) => ({ ...o }));
}

window.loki = window.loki || {};
window.loki.metronome = {
  recentOnsets,
  position,
  tap,
  clock: () => sync.report(),
  audioState: () => (context ? context.state : 'none'),
};
