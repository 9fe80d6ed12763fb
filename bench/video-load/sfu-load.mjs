// Load for Janus' VideoRoom without browsers (docs/benchmarks.md §13): publishers send paced VP8 RTP (a real VP8
// payload descriptor and frame tag, a key frame every two seconds, the rest filler: an SFU forwards packets, it never
// decodes them); subscribers are WebRTC peers (werift, in Node) that receive every stream they asked for, send NACKs and
// PLIs as a browser does, and count packets and whole frames without decoding anything. So the client side costs what
// SRTP and the RTP bookkeeping cost, not what thirty VP8 decoders and compositors would.
//
//   node --experimental-websocket sfu-load.mjs --janus ws://127.0.0.1:PORT --secret S --admin-key K
//        [--publishers 30 --bitrate 500000 --height 360] [--teacher 1500000] [--subscribers 30]
//        [--see teacher|all|page:N] [--seconds 30] [--workers 2] [--janus-pid PID]
//
// --teacher BITRATE adds one more publisher at 720p (the lecturer); --see teacher: each subscriber receives the teacher
// only, all: the teacher and every publisher, page:N: the teacher and N cameras (a page of the room's grid). The teacher (when there is one) subscribes to every publisher too.
// Frames lost: per received stream, the frames (RTP timestamps, 30 per second) inside the measured window that did not
// arrive whole (a packet missing after NACKs) or not at all. Prints one JSON line.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { RTCPeerConnection, RTCRtpCodecParameters, MediaStreamTrack, RtpPacket, RtpHeader } from 'werift';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, word, i, all) =>
    (word.startsWith('--') ? [...pairs, [word.slice(2), all[i + 1]]] : pairs), []));
const FPS = 30;
const TICKS_PER_FRAME = 90000 / FPS;
const MAX_PAYLOAD = 1100;

// Only loopback, as every video test here: Janus offers 127.0.0.1 only and sends to 127.0.0.0/8 only (the bench loads
// tests/.../Video/loopback-only.c into it); these peers gather on 127.0.0.1 and pair nothing else.
const onLoopback = candidate => candidate.host.startsWith('127.');
const peerConfig = () => ({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceFilterCandidatePair: pair => onLoopback(pair.localCandidate) && onLoopback(pair.remoteCandidate),
    codecs: {
        video: [new RTCRtpCodecParameters({
            mimeType: 'video/VP8', clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        })],
        audio: [],
    },
});

/// Janus' WebSocket API, as janus.js speaks it: one session, transactions, keep-alives.
class JanusSession {
    constructor(url, secret) {
        this.url = url;
        this.secret = secret;
        this.next = 0;
        this.waiting = new Map();
        this.events = new Map();
    }

    async open() {
        this.socket = new WebSocket(this.url, 'janus-protocol');
        await new Promise((resolve, reject) => { this.socket.onopen = resolve; this.socket.onerror = reject; });
        this.socket.onmessage = message => {
            const answer = JSON.parse(message.data);
            if (answer.janus === 'ack' && !answer.hint) { return; }
            const waiter = this.waiting.get(answer.transaction);
            if (waiter) {
                this.waiting.delete(answer.transaction);
                waiter(answer);
            } else if (answer.sender && this.events.has(answer.sender)) {
                this.events.get(answer.sender)(answer);
            }
        };
        const created = await this.send({ janus: 'create' });
        this.id = created.data.id;
        this.keepAlive = setInterval(() => this.send({ janus: 'keepalive', session_id: this.id }).catch(() => {}), 20000);
    }

    send(request) {
        const transaction = 't' + (++this.next);
        return new Promise((resolve, reject) => {
            this.waiting.set(transaction, answer => (answer.janus === 'error' ? reject(new Error(JSON.stringify(answer.error))) : resolve(answer)));
            this.socket.send(JSON.stringify({ ...request, transaction, apisecret: this.secret }));
        });
    }

    async attach() {
        const attached = await this.send({ janus: 'attach', session_id: this.id, plugin: 'janus.plugin.videoroom' });
        return attached.data.id;
    }

    /// A VideoRoom request; resolves with Janus' answer (synchronous requests) or the plugin's event (joins, publish).
    async message(handle, body, jsep) {
        const answer = await this.send({ janus: 'message', session_id: this.id, handle_id: handle, body, ...(jsep ? { jsep } : {}) });
        const data = answer.plugindata?.data;
        if (data?.error) { throw new Error(`${data.error_code} ${data.error}`); }
        return answer;
    }

    close() {
        clearInterval(this.keepAlive);
        this.socket.close();
    }
}

const debug = process.env.LOKI_SFU_DEBUG ? (...what) => console.error(...what) : () => {};

async function connected(pc) {
    pc.iceConnectionStateChange.subscribe(state => debug('ice', state));
    pc.connectionStateChange.subscribe(state => debug('connection', state));
    if (pc.connectionState === 'connected') { return; }
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('ICE/DTLS did not connect within 60 s')), 60000);
        pc.connectionStateChange.subscribe(state => {
            if (state === 'connected') { clearTimeout(timer); resolve(); }
            if (state === 'failed') { clearTimeout(timer); reject(new Error('peer connection failed')); }
        });
    });
}

/// One camera: joins as a publisher, then sends paced VP8 packets at its bitrate, 30 frames a second.
async function publish(room, id, bitrate, width, height) {
    const session = new JanusSession(args.janus, args.secret);
    await session.open();
    const handle = await session.attach();
    await session.message(handle, { request: 'join', ptype: 'publisher', room, id, display: id });
    const pc = new RTCPeerConnection(peerConfig());
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await session.message(handle, { request: 'publish', bitrate }, { type: 'offer', sdp: pc.localDescription.sdp });
    debug(pc.localDescription.sdp, answer.jsep?.sdp);
    await pc.setRemoteDescription(answer.jsep);
    await connected(pc);
    const frameBytes = Math.max(200, Math.round(bitrate / 8 / FPS));
    return { session, pc, track, frameBytes, width, height, sequence: Math.floor(Math.random() * 65536), timestamp: Math.floor(Math.random() * 2 ** 31) };
}

function sendFrame(publisher, frame) {
    const key = frame % (2 * FPS) === 0;
    const packets = Math.ceil(publisher.frameBytes / MAX_PAYLOAD);
    for (let p = 0; p < packets; p++) {
        const size = Math.min(MAX_PAYLOAD, publisher.frameBytes - p * MAX_PAYLOAD);
        const payload = Buffer.alloc(Math.max(size, 11), 0x55);
        payload[0] = p === 0 ? 0x10 : 0x00; // VP8 payload descriptor: S bit on a frame's first packet, partition 0
        if (p === 0) {
            // VP8 frame tag: key frame bit (0 = key), version 0, shown; a key frame carries its start code and size.
            payload[1] = key ? 0x10 : 0x11;
            payload[2] = 0x00;
            payload[3] = 0x00;
            if (key) {
                payload.set([0x9d, 0x01, 0x2a], 4);
                payload.writeUInt16LE(publisher.width, 7);
                payload.writeUInt16LE(publisher.height, 9);
            }
        }
        const header = new RtpHeader({
            payloadType: 96, sequenceNumber: publisher.sequence, timestamp: publisher.timestamp >>> 0, marker: p === packets - 1,
        });
        publisher.sequence = (publisher.sequence + 1) & 0xffff;
        publisher.track.writeRtp(new RtpPacket(header, payload));
    }
    publisher.timestamp = (publisher.timestamp + TICKS_PER_FRAME) >>> 0;
}

/// Paces every publisher of this process from one clock: frame n of each goes at start + n/30 s.
function pace(publishers) {
    const start = performance.now();
    let frame = 0;
    let late = 0;
    const tick = () => {
        const due = Math.floor((performance.now() - start) * FPS / 1000);
        if (due - frame > 3) { late += due - frame - 1; frame = due - 1; } // more than 100 ms behind: skip, count
        while (frame <= due) {
            for (const publisher of publishers) { sendFrame(publisher, frame); }
            frame++;
        }
    };
    const timer = setInterval(tick, 1000 / FPS / 2);
    return { stop: () => clearInterval(timer), late: () => late };
}

/// One viewer: a subscriber handle receiving the feeds in one peer connection; counts whole frames per stream.
async function subscribe(room, feeds) {
    const session = new JanusSession(args.janus, args.secret);
    await session.open();
    const handle = await session.attach();
    const joined = await session.message(handle, { request: 'join', ptype: 'subscriber', room, streams: feeds.map(feed => ({ feed })) });
    const pc = new RTCPeerConnection(peerConfig());
    const streams = new Map();
    pc.onTrack.subscribe(track => {
        track.onReceiveRtp.subscribe(rtp => count(streams, rtp));
    });
    const asked = { nacks: 0 };
    await pc.setRemoteDescription(joined.jsep);
    await pc.setLocalDescription(await pc.createAnswer());
    await session.message(handle, { request: 'start' }, { type: 'answer', sdp: pc.localDescription.sdp });
    await connected(pc);
    for (const transceiver of pc.getTransceivers()) {
        transceiver.receiver.onPacketLost?.subscribe(lost => { asked.nacks += lost.lost?.length ?? 1; });
    }
    return { session, pc, streams, feeds: feeds.length, asked };
}

function count(streams, rtp) {
    const ssrc = rtp.header.ssrc;
    let stream = streams.get(ssrc);
    if (!stream) {
        stream = { packets: 0, bytes: 0, frames: new Map(), minTs: null, maxTs: null, counting: false };
        streams.set(ssrc, stream);
    }
    stream.packets++;
    stream.bytes += rtp.payload.length;
    if (!stream.counting) { return; }
    const ts = rtp.header.timestamp;
    let frame = stream.frames.get(ts);
    if (!frame) {
        frame = { seqs: new Set(), first: null, last: null };
        stream.frames.set(ts, frame);
        if (stream.minTs === null) { stream.minTs = ts; }
        if (stream.maxTs === null || ((ts - stream.maxTs) >>> 0) < 0x80000000) { stream.maxTs = ts; }
    }
    frame.seqs.add(rtp.header.sequenceNumber);
    if (rtp.payload[0] & 0x10) { frame.first = rtp.header.sequenceNumber; }
    if (rtp.header.marker) { frame.last = rtp.header.sequenceNumber; }
}

/// Frames inside (first frame, last frame) of the window: expected from the timestamps, whole when its first and last
/// packet and everything between arrived.
function tally(stream) {
    if (stream.minTs === null) { return { expected: 0, whole: 0 }; }
    const span = ((stream.maxTs - stream.minTs) >>> 0) / TICKS_PER_FRAME;
    let whole = 0;
    for (const [ts, frame] of stream.frames) {
        const at = ((ts - stream.minTs) >>> 0) / TICKS_PER_FRAME;
        if (at <= 0 || at >= span || frame.first === null || frame.last === null) { continue; }
        if (((frame.last - frame.first) & 0xffff) + 1 === frame.seqs.size) { whole++; }
    }
    return { expected: Math.max(0, Math.round(span) - 1), whole };
}

/// Datagrams the kernel dropped because a UDP socket's receive buffer was full (all sockets of the machine: Janus' and
/// the load's): drops here mean a receiver did not read in time, not that the SFU chose to drop.
function udpReceiveBufferErrors() {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter(line => line.startsWith('Udp:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf('RcvbufErrors')]);
}

function cpuSeconds(pid) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

// ---- a worker process: some of the subscribers ----
if (process.env.LOKI_SFU_WORKER) {
    const { room, viewers } = JSON.parse(process.env.LOKI_SFU_WORKER);
    const subscribers = [];
    let cpuAtStart = process.cpuUsage();
    // Four at a time: ICE and DTLS for thirty peers at once would time out on a busy machine.
    for (let i = 0; i < viewers.length; i += 4) {
        subscribers.push(...await Promise.all(viewers.slice(i, i + 4).map(feeds => subscribe(room, feeds))));
    }
    process.send({ ready: subscribers.length });
    process.on('message', async command => {
        if (command === 'start') {
            for (const s of subscribers) { for (const stream of s.streams.values()) { stream.counting = true; stream.packets = 0; } s.asked.nacks = 0; }
            cpuAtStart = process.cpuUsage();
        } else if (command === 'stop') {
            const used = process.cpuUsage(cpuAtStart);
            let expected = 0, whole = 0, packets = 0, streams = 0, missing = 0, nacks = 0;
            for (const s of subscribers) {
                nacks += s.asked.nacks;
                missing += Math.max(0, s.feeds - s.streams.size);
                for (const stream of s.streams.values()) {
                    const t = tally(stream);
                    expected += t.expected;
                    whole += t.whole;
                    packets += stream.packets;
                    streams++;
                }
            }
            process.send({ expected, whole, packets, streams, missing, nacks, cpu: (used.user + used.system) / 1e6 });
            for (const s of subscribers) { await s.pc.close(); s.session.close(); }
            process.exit(0);
        }
    });
} else {
    await main();
}

async function main() {
    const publishers = Number(args.publishers ?? 30);
    const bitrate = Number(args.bitrate ?? 500000);
    const height = Number(args.height ?? 360);
    const teacherBitrate = args.teacher ? Number(args.teacher) : 0;
    const viewers = Number(args.subscribers ?? 30);
    const seconds = Number(args.seconds ?? 30);
    const workers = Math.max(1, Number(args.workers ?? 2));
    const see = args.see ?? 'all';
    const load = [loadavg()[0]];

    const admin = new JanusSession(args.janus, args.secret);
    await admin.open();
    const adminHandle = await admin.attach();
    const room = `bench-${process.pid}-${Date.now()}`;
    // The room as VideoRooms makes one (vp8, the node's bitrate cap, a key frame asked every 10 s), without a pin.
    await admin.message(adminHandle, {
        request: 'create', admin_key: args['admin-key'], room, publishers: publishers + 2, bitrate: Math.max(bitrate, teacherBitrate),
        fir_freq: 10, videocodec: 'vp8', notify_joining: false, permanent: false, is_private: true,
    });

    const sending = [];
    const feeds = [];
    if (teacherBitrate) {
        sending.push(await publish(room, 'teacher', teacherBitrate, 1280, 720));
    }
    for (let i = 0; i < publishers; i++) {
        sending.push(await publish(room, `camera-${i}`, bitrate, Math.round(height * 16 / 9), height));
        feeds.push(`camera-${i}`);
    }
    const pacing = pace(sending);

    // Who sees what: each viewer the teacher (if any) and, with --see all, every camera; the teacher every camera.
    // --see page:N is what the room page receives (Video:CamerasPerPage): the large tile (the teacher) and one page of N
    // cameras, never one's own (viewer v is camera v); the teacher the large tile (a speaker) and a page, N + 1 cameras.
    const page = /^page:(\d+)$/.exec(see);
    const pageOf = (count, skip, start) => feeds.filter((_, i) => i !== skip).filter((_, i, rest) => (i - start + rest.length) % rest.length < count);
    const plans = [];
    for (let v = 0; v < viewers; v++) {
        const cameras = page ? pageOf(Number(page[1]), v, v) : see === 'all' || !teacherBitrate ? feeds : [];
        plans.push([...(teacherBitrate ? ['teacher'] : []), ...cameras]);
    }
    if (teacherBitrate && feeds.length) { plans.push(page ? pageOf(Number(page[1]) + 1, -1, 0) : feeds); }
    const children = [];
    for (let w = 0; w < workers; w++) {
        const share = plans.filter((_, i) => i % workers === w);
        if (share.length) {
            children.push(fork(new URL(import.meta.url).pathname, process.argv.slice(2), {
                env: { ...process.env, LOKI_SFU_WORKER: JSON.stringify({ room, viewers: share }) },
                execArgv: ['--experimental-websocket', '--no-warnings'],
            }));
        }
    }
    // The workers connect their viewers side by side; each reports once all of its viewers are connected.
    await Promise.all(children.map(child => new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', code => reject(new Error(`subscriber worker exited with ${code}`)));
    })));
    for (const child of children) { child.removeAllListeners('exit'); }

    await new Promise(resolve => setTimeout(resolve, 5000)); // key frames asked, NACK windows filled
    load.push(loadavg()[0]);
    const janusStart = args['janus-pid'] ? cpuSeconds(args['janus-pid']) : null;
    const ownStart = process.cpuUsage();
    const dropsStart = udpReceiveBufferErrors();
    const lateStart = pacing.late();
    for (const child of children) { child.send('start'); }
    await new Promise(resolve => setTimeout(resolve, seconds * 1000));
    const results = await Promise.all(children.map(child => new Promise(resolve => { child.once('message', resolve); child.send('stop'); })));
    const janusCpu = args['janus-pid'] ? cpuSeconds(args['janus-pid']) - janusStart : null;
    const own = process.cpuUsage(ownStart);
    const drops = udpReceiveBufferErrors() - dropsStart;
    load.push(loadavg()[0]);
    pacing.stop();

    const sum = key => results.reduce((total, r) => total + r[key], 0);
    const expected = sum('expected');
    const whole = sum('whole');
    console.log(JSON.stringify({
        publishers, height, bitrate, teacherBitrate, viewers: plans.length, see, seconds, streamsReceived: sum('streams'), streamsMissing: sum('missing'),
        framesExpected: expected, framesWhole: whole, framesLostPercent: expected ? +(100 * (expected - whole) / expected).toFixed(3) : null,
        nacks: sum('nacks'), packetsReceived: sum('packets'), udpReceiveBufferDrops: drops,
        janusCpuPercentOfACore: janusCpu === null ? null : +(100 * janusCpu / seconds).toFixed(1),
        publisherCpuPercentOfACore: +(100 * (own.user + own.system) / 1e6 / seconds).toFixed(1),
        subscriberCpuPercentOfACore: +(100 * sum('cpu') / seconds).toFixed(1),
        framesSentLate: pacing.late() - lateStart,
        loadAverage: load.map(l => +l.toFixed(1)),
    }));
    for (const p of sending) { await p.pc.close(); p.session.close(); }
    admin.close();
    process.exit(0);
}
