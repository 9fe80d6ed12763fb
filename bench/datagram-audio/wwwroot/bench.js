// The browser half of the datagram-audio spike (docs/decisions/0011). Sends one audio-sized block per 128-frame
// period (2.667 ms) over one of two paths and records when each echo comes back:
//  - "dc": a WebRTC data channel (unordered, maxRetransmits 0) published into a Janus VideoRoom, forwarded by
//    rtp_forward/data_port to the bench's UDP "engine", which sends it straight back to a Janus Streaming data
//    mountpoint; the page watches that mountpoint on a second peer connection and receives it on a channel it
//    opened itself (label "JanusDataChannel", unordered, maxRetransmits 0), which Janus then uses for its relay.
//  - "ws": a WebSocket to the bench host (through its TCP impairment proxy), echoed at once.
// Both peer connections reach Janus only through the bench's UDP relay: every ICE candidate in both directions is
// rewritten to the relay's sockets, so the link under test is the browser↔Janus hop, impaired by the relay.
'use strict';

const params = new URLSearchParams(location.search);
const janusUrl = params.get('janus');
const blockBytes = Number(params.get('block') || 520);
const periodMs = 128 / 48;

const log = (...parts) => {
    console.log(...parts);
    fetch('/log', { method: 'POST', body: parts.join(' ') }).catch(() => {});
};

const now = () => performance.timeOrigin + performance.now();

// ---- a minimal Janus client over its WebSocket API ------------------------------------------------------------
class Janus {
    constructor(url) {
        this.url = url;
        this.pending = new Map();
        this.events = new Map();
        this.counter = 0;
    }

    async connect() {
        this.socket = new WebSocket(this.url, 'janus-protocol');
        await new Promise((resolve, reject) => {
            this.socket.onopen = resolve;
            this.socket.onerror = () => reject(new Error('janus websocket failed'));
        });
        this.socket.onmessage = (message) => this.dispatch(JSON.parse(message.data));
        const created = await this.request({ janus: 'create' });
        this.session = created.data.id;
        this.keepalive = setInterval(() => this.send({ janus: 'keepalive', session_id: this.session }), 20000);
    }

    dispatch(message) {
        const waiter = this.pending.get(message.transaction);
        if (message.janus === 'ack') {
            return;
        }
        if (message.janus === 'event' && this.events.has(message.transaction)) {
            this.events.get(message.transaction)(message);
            this.events.delete(message.transaction);
            return;
        }
        if (waiter) {
            this.pending.delete(message.transaction);
            if (message.janus === 'error') {
                waiter.reject(new Error(JSON.stringify(message.error)));
            } else {
                waiter.resolve(message);
            }
            return;
        }
        if (message.janus === 'webrtcup' || message.janus === 'media' || message.janus === 'hangup' || message.janus === 'slowlink') {
            log('janus', message.janus, JSON.stringify(message));
        }
    }

    send(message) {
        message.transaction = message.transaction || `t${++this.counter}`;
        this.socket.send(JSON.stringify(message));
        return message.transaction;
    }

    request(message) {
        return new Promise((resolve, reject) => {
            const transaction = `t${++this.counter}`;
            this.pending.set(transaction, { resolve, reject });
            this.send({ ...message, transaction });
        });
    }

    async attach(plugin) {
        const attached = await this.request({ janus: 'attach', session_id: this.session, plugin });
        return attached.data.id;
    }

    // A plugin request answered at once ("success" with plugindata).
    async sync(handle, body) {
        const answer = await this.request({ janus: 'message', session_id: this.session, handle_id: handle, body });
        const data = answer.plugindata && answer.plugindata.data;
        if (!data || data.error) {
            throw new Error(`${body.request}: ${JSON.stringify(answer)}`);
        }
        return data;
    }

    // A plugin request answered later by an "event" (join, publish, watch, start).
    async async(handle, body, jsep) {
        const transaction = `t${++this.counter}`;
        const event = new Promise((resolve) => this.events.set(transaction, resolve));
        const message = { janus: 'message', session_id: this.session, handle_id: handle, body, transaction };
        if (jsep) {
            message.jsep = jsep;
        }
        this.socket.send(JSON.stringify(message));
        const answer = await event;
        const data = answer.plugindata && answer.plugindata.data;
        if (!data || data.error) {
            throw new Error(`${body.request}: ${JSON.stringify(answer)}`);
        }
        return answer;
    }
}

// ---- ICE through the bench's relay ----------------------------------------------------------------------------
// The relay has a browser-facing and a Janus-facing socket. Janus' candidates become the browser-facing socket,
// the browser's loopback candidate becomes the Janus-facing socket; every other candidate is dropped, so there is
// no pair that bypasses the relay.
async function relayPair() {
    const response = await fetch('/relay', { method: 'POST' });
    return response.json();
}

function candidatePort(sdp) {
    const match = /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/i.exec(sdp);
    if (!match) {
        throw new Error(`no 127.0.0.1 udp host candidate in ${sdp}`);
    }
    return Number(match[1]);
}

function rewriteCandidates(sdp, port) {
    return sdp.split('\r\n').filter((line) => {
        if (!line.startsWith('a=candidate:')) {
            return true;
        }
        return / udp /i.test(line) && / 127\.0\.0\.1 /.test(line) && / typ host/.test(line);
    }).map((line) => {
        if (!line.startsWith('a=candidate:')) {
            return line;
        }
        return line.replace(/ 127\.0\.0\.1 \d+ typ host/, ` 127.0.0.1 ${port} typ host`);
    }).join('\r\n');
}

async function gathered(pc) {
    if (pc.iceGatheringState === 'complete') {
        return;
    }
    await new Promise((resolve) => {
        pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') {
                resolve();
            }
        });
    });
}

async function tellRelayJanusPort(relay, port) {
    await fetch(`/relay/${relay.id}/janus?port=${port}`, { method: 'POST' });
}

function opened(channel) {
    return channel.readyState === 'open' ? Promise.resolve() : new Promise((resolve) => { channel.onopen = resolve; });
}

// ---- the data-channel path ------------------------------------------------------------------------------------
async function setUpDataChannelPath(setup) {
    const janus = new Janus(janusUrl);
    await janus.connect();

    // Uplink: publish a data channel into a VideoRoom.
    const room = await janus.attach('janus.plugin.videoroom');
    await janus.sync(room, { request: 'create', room: setup.room, publishers: 4, is_private: true });
    await janus.async(room, { request: 'join', ptype: 'publisher', room: setup.room, id: 1, display: 'bench' });
    const upRelay = await relayPair();
    const up = new RTCPeerConnection({ iceServers: [] });
    const upChannel = up.createDataChannel('audio', { ordered: false, maxRetransmits: 0 });
    upChannel.binaryType = 'arraybuffer';
    await up.setLocalDescription(await up.createOffer());
    await gathered(up);
    const offer = rewriteCandidates(up.localDescription.sdp, upRelay.janusFacing);
    const published = await janus.async(room, { request: 'publish', data: true, audio: false, video: false },
        { type: 'offer', sdp: offer, trickle: false });
    const janusUpPort = candidatePort(published.jsep.sdp);
    await tellRelayJanusPort(upRelay, janusUpPort);
    await up.setRemoteDescription({ type: 'answer', sdp: rewriteCandidates(published.jsep.sdp, upRelay.browserFacing) });
    await opened(upChannel);
    const forward = await janus.sync(room, {
        request: 'rtp_forward', room: setup.room, publisher_id: 1, host: '127.0.0.1', data_port: setup.engineIn,
    });
    log('rtp_forward', JSON.stringify(forward));

    // Downlink: watch a Streaming data mountpoint fed by the engine.
    const streaming = await janus.attach('janus.plugin.streaming');
    await janus.sync(streaming, {
        request: 'create', type: 'rtp', id: setup.mountpoint, name: 'bench', is_private: true,
        audio: false, video: false, data: true, dataport: setup.mountpointPort, datatype: 'binary',
    });
    const downRelay = await relayPair();
    const watched = await janus.async(streaming, { request: 'watch', id: setup.mountpoint });
    const janusDownPort = candidatePort(watched.jsep.sdp);
    await tellRelayJanusPort(downRelay, janusDownPort);
    const down = new RTCPeerConnection({ iceServers: [] });
    // A channel Janus opened of its own accord (reliable and ordered) would show up here.
    down.ondatachannel = (event) => log('janus opened its own channel', event.channel.label, 'ordered', event.channel.ordered);
    await down.setRemoteDescription({ type: 'offer', sdp: rewriteCandidates(watched.jsep.sdp, downRelay.browserFacing) });
    // Janus relays a plugin's data on the open channel with its label, and opens a reliable, ordered one only if
    // there is none; opening it here first makes the downlink unordered with no retransmissions.
    const downChannel = down.createDataChannel('JanusDataChannel', { ordered: false, maxRetransmits: 0 });
    downChannel.binaryType = 'arraybuffer';
    await down.setLocalDescription(await down.createAnswer());
    await gathered(down);
    await janus.async(streaming, { request: 'start' },
        { type: 'answer', sdp: rewriteCandidates(down.localDescription.sdp, downRelay.janusFacing), trickle: false });
    await opened(downChannel);
    log('data channels open', 'up', upChannel.ordered, upChannel.maxRetransmits, 'down', downChannel.ordered, downChannel.maxRetransmits);
    return {
        send: (buffer) => upChannel.send(buffer),
        buffered: () => upChannel.bufferedAmount,
        onReceive: (handler) => { downChannel.onmessage = (event) => handler(event.data); },
        stats: async () => {
            const result = {};
            for (const [name, pc] of [['up', up], ['down', down]]) {
                (await pc.getStats()).forEach((report) => {
                    if (report.type === 'candidate-pair' && report.nominated) {
                        result[`${name}Rtt`] = report.currentRoundTripTime;
                    }
                    if (report.type === 'data-channel') {
                        result[`${name}${report.label}`] = { sent: report.messagesSent, received: report.messagesReceived };
                    }
                });
            }
            return result;
        },
    };
}

// ---- the WebSocket path ---------------------------------------------------------------------------------------
async function setUpWebSocketPath(url) {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = () => reject(new Error('echo websocket failed'));
    });
    return {
        send: (buffer) => socket.send(buffer),
        buffered: () => socket.bufferedAmount,
        onReceive: (handler) => { socket.onmessage = (event) => handler(event.data); },
        stats: async () => ({ buffered: socket.bufferedAmount }),
        close: () => socket.close(),
    };
}

// ---- one measured phase ---------------------------------------------------------------------------------------
// Block layout (little-endian): u32 sequence, f64 page send time (ms since the epoch), then padding to blockBytes.
// The echo appends nothing; the server records its own arrival time per sequence. With redundancy 2 a message
// carries the block and the one before it (the JackTrip -r 2 layout: newest first); arrivals are kept both for the
// block's own message and for whichever message brought it first.
async function runPhase(path, phase) {
    const count = phase.count;
    const sent = new Float64Array(count);
    const receivedPrimary = new Float64Array(count);
    const receivedAny = new Float64Array(count);
    // What the browser still held for this path when each block was handed over: a queue here is the sender's
    // congestion window (SCTP's or TCP's) holding audio back.
    const buffered = new Float64Array(count);
    const copies = phase.redundancy;
    path.onReceive((data) => {
        const arrival = now();
        const view = new DataView(data);
        for (let copy = 0; copy < copies && (copy + 1) * blockBytes <= data.byteLength; copy++) {
            const sequence = view.getUint32(copy * blockBytes, true);
            if (sequence >= count) {
                continue;
            }
            if (copy === 0 && receivedPrimary[sequence] === 0) {
                receivedPrimary[sequence] = arrival;
            }
            if (receivedAny[sequence] === 0) {
                receivedAny[sequence] = arrival;
            }
        }
    });
    const blocks = [];
    for (let i = 0; i < count; i++) {
        blocks.push(new ArrayBuffer(blockBytes));
    }
    const start = now() + 50;
    let next = 0;
    await new Promise((resolve) => {
        // The page's timers wake at most every few milliseconds; each wake-up sends every block that is due, as the
        // product's worklet hands the socket the blocks of a late audio callback at once.
        const timer = setInterval(() => {
            const t = now();
            while (next < count && start + next * periodMs <= t) {
                const message = new ArrayBuffer(blockBytes * copies);
                const bytes = new Uint8Array(message);
                for (let copy = 0; copy < copies && next - copy >= 0; copy++) {
                    const view = new DataView(blocks[next - copy]);
                    view.setUint32(0, next - copy, true);
                    if (copy === 0) {
                        sent[next] = now();
                        view.setFloat64(4, sent[next], true);
                    }
                    bytes.set(new Uint8Array(blocks[next - copy]), copy * blockBytes);
                }
                buffered[next] = path.buffered();
                path.send(message);
                next++;
            }
            if (next >= count) {
                clearInterval(timer);
                resolve();
            }
        }, 1);
    });
    // Wait for stragglers (a retransmission timeout is 200 ms and doubles).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stats = await path.stats();
    await fetch(`/phase/${phase.id}/page`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Blob([sent.buffer, receivedPrimary.buffer, receivedAny.buffer, buffered.buffer]),
    });
    log('phase', phase.id, 'done', JSON.stringify(stats));
}

async function main() {
    const plan = await (await fetch('/plan')).json();
    let dc = null;
    for (const phase of plan.phases) {
        if (phase.path === 'dc') {
            // Set up once on a clean link; the relay applies the phase's profile from "begin" on.
            dc = dc || await setUpDataChannelPath(plan.setup);
            await fetch(`/phase/${phase.id}/begin`, { method: 'POST' });
            await runPhase(dc, phase);
        } else {
            await fetch(`/phase/${phase.id}/begin`, { method: 'POST' });
            const ws = await setUpWebSocketPath(phase.url);
            await runPhase(ws, phase);
            ws.close();
        }
    }
    await fetch('/done', { method: 'POST' });
}

main().catch((error) => {
    log('FAILED', error && error.stack ? error.stack : String(error));
    fetch('/done?failed=1', { method: 'POST' });
});
