// Beat-clock sync harness: simulated clients, each with its own clock offset, drift, round trip and jitter, run the
// page's own estimator (clock-sync.js) and beat arithmetic (beat-timeline.js) and compute the moment they would
// click each beat. Time is simulated, so the figures are exact for the model and reproducible from the seed.
//   node bench/beat-sync.mjs                      # 50 clients, RTT 10–80 ms, ±10 ms jitter (docs/benchmarks.md §6)
//   node bench/beat-sync.mjs --clients 10 --up-ms 30 --down-ms 10 --jitter-ms 2 --json
import { ClockSync } from '../src/Loki.Learning.Web/wwwroot/js/clock-sync.js';
import { timeOfBeat, positionOfBeat } from '../src/Loki.Learning.Web/wwwroot/js/beat-timeline.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) {
    const next = all[i + 1];
    pairs.push([arg.slice(2), next === undefined || next.startsWith('--') ? 'true' : next]);
  }
  return pairs;
}, []));
const number = (name, fallback) => (args[name] === undefined ? fallback : Number(args[name]));

const clients = number('clients', 50);
const seconds = number('seconds', 120);
const seed = number('seed', 1);
const minRtt = number('min-rtt-ms', 10);
const maxRtt = number('max-rtt-ms', 80);
const jitter = number('jitter-ms', 10);
const driftPpm = number('drift-ppm', 20);
const fixedUp = args['up-ms'] === undefined ? null : Number(args['up-ms']);
const fixedDown = args['down-ms'] === undefined ? null : Number(args['down-ms']);
const settleS = number('settle-s', 10);
const joinAtS = number('join-at-s', 60);
const lookaheadMs = 200; // the page schedules clicks this far ahead (metronome.js)

// mulberry32: small, seedable, good enough for a simulation.
function random(seedValue) {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(seed);
const uniform = (lo, hi) => lo + (hi - lo) * rand();

// The server's timeline: 120 bpm in 4/4 from t = 1 s; at the first bar line after 40 s the tempo becomes 90, which
// the server announces 300 ms ahead (BeatTimeline.ChangeLeadMs) as a new segment.
const startMs = 1_700_000_001_000;
const first = { beat: 0, epochMs: startMs, bpm: 120, beatsPerBar: 4, beatUnit: 4, bar: 1 };
const changeBar = 1 + Math.ceil((40000 / (60000 / 120)) / 4);
const changeBeat = (changeBar - 1) * 4;
const change = { beat: changeBeat, epochMs: startMs + changeBeat * 500, bpm: 90, beatsPerBar: 4, beatUnit: 4, bar: changeBar };
const before = { running: true, segments: [first], click: { accents: [] } };
const after = { running: true, segments: [first, change], click: { accents: [] } };
const timelineAt = (serverMs) => (serverMs >= change.epochMs - 300 ? after : before);

// A client: local = server·(1 + drift) − offset0. Pings every 50 ms for 2 s, then every 250 ms (metronome.js).
function makeClient(index, joinMs) {
  const rtt = uniform(minRtt, maxRtt);
  const up = fixedUp ?? rtt / 2;
  const down = fixedDown ?? rtt / 2;
  return {
    index,
    joinMs,
    meanUp: up,
    meanDown: down,
    offset0: uniform(-5000, 5000),
    drift: uniform(-driftPpm, driftPpm) / 1e6,
    sync: new ClockSync(),
    nextPingMs: joinMs,
  };
}
const localOf = (c, serverMs) => serverMs * (1 + c.drift) - c.offset0 - startMs * c.drift;
const serverOf = (c, localMs) => (localMs + c.offset0 + startMs * c.drift) / (1 + c.drift);
const delay = (mean) => Math.max(0.2, mean + uniform(-jitter, jitter));

const population = [];
for (let i = 0; i < clients; i++) {
  population.push(makeClient(i, startMs - 2000 + uniform(0, 500)));
}
const joiner = makeClient(clients, startMs + joinAtS * 1000);
population.push(joiner);

// Event loop in 1 ms steps: pings are delivered with their simulated delays; each beat, every client computes the
// local time it would schedule the click at (lookahead before it sounds) with its estimate at that moment.
const inFlight = [];
const onsets = new Map(); // beat → [{ client, errorMs }]
const endMs = startMs + seconds * 1000;
let nextBeat = 0;
for (let now = startMs - 2000; now <= endMs; now += 1) {
  for (const c of population) {
    if (now >= c.nextPingMs) {
      const sentLocal = localOf(c, now);
      const arrives = now + delay(c.meanUp);
      inFlight.push({ c, sentLocal, arrives, serverMs: arrives, backAt: arrives + delay(c.meanDown) });
      c.nextPingMs = now + (now - c.joinMs < 2000 ? 50 : 250);
    }
  }
  for (let i = inFlight.length - 1; i >= 0; i--) {
    const p = inFlight[i];
    if (p.backAt <= now) {
      p.c.sync.addSample(p.sentLocal, p.serverMs, localOf(p.c, p.backAt));
      inFlight.splice(i, 1);
    }
  }
  const timeline = timelineAt(now);
  const beatMs = timeOfBeat(timeline, nextBeat);
  if (now >= beatMs - lookaheadMs) {
    const list = [];
    for (const c of population) {
      if (now < c.joinMs || !c.sync.ready) {
        continue;
      }
      // Scheduled in the client's own clock; where that lands in server time is the error.
      const localOnset = c.sync.toLocal(beatMs);
      const actual = serverOf(c, localOnset);
      list.push({ client: c.index, errorMs: actual - beatMs, sinceJoinMs: now - c.joinMs, uncertaintyMs: c.sync.uncertainty });
    }
    onsets.set(nextBeat, { beatMs, list });
    nextBeat++;
  }
}

function percentile(values, p) {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const settledFrom = startMs + settleS * 1000;
const errors = [];
const pairwise = [];
const spreads = [];
for (const { beatMs, list } of onsets.values()) {
  if (beatMs < settledFrom) {
    continue;
  }
  const settled = list.filter((o) => o.client !== joiner.index || o.sinceJoinMs >= 2000);
  for (const o of settled) {
    errors.push(Math.abs(o.errorMs));
  }
  for (let a = 0; a < settled.length; a++) {
    for (let b = a + 1; b < settled.length; b++) {
      pairwise.push(Math.abs(settled[a].errorMs - settled[b].errorMs));
    }
  }
  const e = settled.map((o) => o.errorMs);
  spreads.push(Math.max(...e) - Math.min(...e));
}

// The joiner: its error on the beats from 2 s after joining.
const joinerErrors = [...onsets.values()]
  .flatMap(({ list }) => list.filter((o) => o.client === joiner.index && o.sinceJoinMs >= 2000 && o.sinceJoinMs < 4000))
  .map((o) => Math.abs(o.errorMs));

// The tempo change: every client's onset of the first beat of the changed bar, and that it is that bar's downbeat.
const changeOnsets = onsets.get(changeBeat);
const changeErrors = changeOnsets ? changeOnsets.list.filter((o) => o.client !== joiner.index).map((o) => o.errorMs) : [];
const changePosition = positionOfBeat(after, changeBeat);

const perClient = population.filter((c) => c.sync.ready).map((c) => ({
  client: c.index,
  meanUpMs: +c.meanUp.toFixed(2),
  meanDownMs: +c.meanDown.toFixed(2),
  offsetErrorMs: +(c.sync.offset - (endMs - localOf(c, endMs))).toFixed(3),
  reportedUncertaintyMs: +c.sync.uncertainty.toFixed(3),
}));

const result = {
  model: { clients, seconds, seed, rttMs: [minRtt, maxRtt], jitterMs: jitter, driftPpm, fixedUpMs: fixedUp, fixedDownMs: fixedDown, settleS },
  beats: onsets.size,
  errorP50Ms: percentile(errors, 50),
  errorP99Ms: percentile(errors, 99),
  errorMaxMs: percentile(errors, 100),
  pairwiseP99Ms: percentile(pairwise, 99),
  spreadP99Ms: percentile(spreads, 99),
  joiner: { joinAtS, errorMaxMs: percentile(joinerErrors, 100), beats: joinerErrors.length },
  tempoChange: { bar: changePosition.bar, beatInBar: changePosition.beatInBar, bpm: 90, spreadMs: changeErrors.length ? Math.max(...changeErrors) - Math.min(...changeErrors) : null },
  perClient,
};

if (args.json === 'true') {
  console.log(JSON.stringify(result));
} else {
  const f = (v) => (v === null ? 'n/a' : v.toFixed(3));
  console.log(`beat-sync: ${clients} clients + 1 joiner, RTT ${minRtt}–${maxRtt} ms, jitter ±${jitter} ms, drift ±${driftPpm} ppm, ${seconds} s, seed ${seed}`);
  console.log(`  onset error vs server beat (after ${settleS} s): p50 ${f(result.errorP50Ms)} ms, p99 ${f(result.errorP99Ms)} ms, max ${f(result.errorMaxMs)} ms`);
  console.log(`  onsets apart, client pairs: p99 ${f(result.pairwiseP99Ms)} ms; per beat max−min: p99 ${f(result.spreadP99Ms)} ms`);
  console.log(`  joiner at ${joinAtS} s: worst error 2–4 s after joining ${f(result.joiner.errorMaxMs)} ms (${result.joiner.beats} beats)`);
  console.log(`  tempo change to 90 bpm lands on bar ${result.tempoChange.bar} beat ${result.tempoChange.beatInBar + 1} for every client, onsets spread ${f(result.tempoChange.spreadMs)} ms`);
}
