// Cameras and screens in a live room, through the node's Janus relay (/rooms/{id}/video, docs/decisions/0009).
// One Janus session per page: a "watch" handle (a publisher in Janus' terms that never sends, under an id of its own per
// page, so the page hears who publishes), a "camera" publisher handle while the camera is on, a "screen" publisher
// handle while the person shares, and one multistream subscriber handle for everyone else's pictures. A person's camera
// and screen have one id each in the room: with the same person in two tabs or on two devices, both pages see everyone,
// and the page that starts the camera last sends it (the other is told, and may take it back).
// The Blazor component renders the tiles (<video data-feed=…>); this module fills them.
// Audio never goes through here: it stays on the room's own audio path.
import Janus from '/lib/janus/janus.es.js';
import { LayerCeiling, TopLayer } from './video-layers.js';

let adapterLoading = null;

// janus.js expects the WebRTC shim as a global; it is served by this site like every other library.
function loadAdapter() {
    adapterLoading ??= new Promise((resolve, reject) => {
        if (window.adapter) { resolve(); return; }
        const script = document.createElement('script');
        script.src = '/lib/janus/adapter.js';
        script.onload = () => resolve();
        script.onerror = () => reject(new Error('adapter'));
        document.head.appendChild(script);
    });
    return adapterLoading;
}

let initDone = null;

function init() {
    initDone ??= loadAdapter().then(() => new Promise(resolve =>
        Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies(), callback: resolve })));
    return initDone;
}

// The layers a publisher sends (rid h/m/l) and which one a tile of a width needs.
function layerFor(width) {
    if (width >= 560) { return 2; }
    if (width >= 240) { return 1; }
    return 0;
}

// Cameras are shown as soon as each frame is decoded: Janus marks their packets with the playout-delay RTP extension
// at zero (min_delay/max_delay, in 10 ms units), and Chromium then skips the smoothing delay it would add from the
// frames' arrival jitter (docs/benchmarks.md §13.4: glass-to-glass p95 217 → 83 ms). A musician follows a conductor's
// hand or a bow: a picture that comes early and a little uneven is worth more than a smooth late one. Screens keep the
// browser's own smoothing. Measurements switch it off to compare (window.loki.video.zeroPlayoutDelay).
let zeroPlayoutDelay = true;

// How long a picture whose tile left the page is still received (see Stage.releaseHidden).
const HiddenGraceMs = 10000;

function playoutDelayOf(kind) {
    return kind === 'camera' && zeroPlayoutDelay ? { min_delay: 0, max_delay: 0 } : {};
}

// Why getUserMedia/getDisplayMedia failed, as a text key the component shows.
function problemOf(error) {
    const name = error?.name ?? '';
    if (name === 'NotAllowedError' || name === 'SecurityError') { return 'Video.Problem.Refused'; }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') { return 'Video.Problem.NoCamera'; }
    return 'Video.Problem.Failed';
}

class Stage {
    constructor(relayUrl, token, me, dotnet, perPage) {
        this.relayUrl = relayUrl;
        this.perPage = perPage;    // how many of the others' cameras the grid shows at once (Video:CamerasPerPage)
        this.token = token;
        this.me = me;
        this.dotnet = dotnet;
        this.janus = null;
        this.watcher = null;       // the handle that hears who publishes
        this.camera = null;        // publisher handle for my camera
        this.screen = null;        // publisher handle for my screen
        this.subscriber = null;    // one multistream subscriber handle
        this.subscribing = false;  // a join or update is in flight
        this.wanted = new Map();   // feed id → { personId, kind } of everyone publishing (but me)
        this.mine = new Map();     // feed id → kind of my own camera or screen, sent from this page or another of mine
        this.subscribed = new Set(); // feed ids asked for
        this.dropped = new Set();    // feed ids to unsubscribe from, at the next turn of the subscriber's negotiation
        this.midFeed = new Map();  // subscriber mid → feed id
        this.streams = new Map();  // feed id → MediaStream
        this.local = new Map();    // 'camera' | 'screen' → my own MediaStream
        this.audioOnly = false;
        this.closed = false;
        this.layers = new Map();   // mid → chosen substream
        this.shown = new Set();    // feed ids the page has a tile for now (the component pages its grid)
        this.hiddenSince = new Map(); // feed id → when its tile left the page, while it is still received
        // A tile that left the page (the grid turned, or the large tile changed speaker) is kept a while before it is
        // given up, so a speaker coming and going does not renegotiate the connection every second.
        this.ceiling = new LayerCeiling();
        this.counted = null;       // the subscriber connection's incoming video at the last sample
        this.sweep = setInterval(() => {
            this.subscribe();
            this.measure().catch(() => {});
        }, 2000);
    }

    // Every 2 s: how much of the incoming video was lost since the last look. The ceiling on the tiles' layers follows it,
    // and the page says when pictures are shown smaller because of the link.
    async measure() {
        const pc = this.subscriber?.webrtcStuff?.pc;
        if (!pc || this.audioOnly) {
            this.counted = null;
            return;
        }
        let received = 0;
        let lost = 0;
        (await pc.getStats()).forEach(report => {
            if (report.type === 'inbound-rtp' && report.kind === 'video') {
                received += report.packetsReceived ?? 0;
                lost += report.packetsLost ?? 0;
            }
        });
        const last = this.counted?.pc === pc ? this.counted : null;
        this.counted = { pc, received, lost };
        if (!last) { return; }
        const before = this.ceiling.ceiling;
        const now = this.ceiling.sample(received - last.received, lost - last.lost);
        if (now !== before) {
            this.dotnet.invokeMethodAsync('PicturesSmaller', now < TopLayer).catch(() => {});
            if (stageRoot) { this.fill(stageRoot); }
        }
    }

    connect() {
        const address = new URL(this.relayUrl, location.href);
        address.protocol = address.protocol === 'https:' ? 'wss:' : 'ws:';
        address.searchParams.set('token', this.token);
        return new Promise((resolve, reject) => {
            // No STUN or TURN servers: nothing leaves the site's network (the node's Janus offers its own addresses).
            this.janus = new Janus({
                server: address.toString(),
                iceServers: [],
                success: () => {
                    this.opened = true;
                    this.attachWatcher().then(resolve, reject);
                },
                // Before it opened, the caller hears it; afterwards the component is told and reconnects.
                error: cause => (this.opened ? this.lost(String(cause)) : reject(new Error(String(cause)))),
                destroyed: () => {},
            });
        });
    }

    lost(cause) {
        if (this.closed) { return; }
        this.closed = true;
        this.dotnet.invokeMethodAsync('VideoLost', cause).catch(() => {});
    }

    // Joins the room as a publisher with this display ('watch', 'camera' or 'screen'); the relay names the id.
    attach(display) {
        return new Promise((resolve, reject) => {
            let handle = null;
            let tries = 0;
            let joined = false;
            this.janus.attach({
                plugin: 'janus.plugin.videoroom',
                success: h => {
                    handle = h;
                    // A join the relay refuses (no grant to share a screen) ends here: its answer is an error, not an event.
                    h.send({
                        message: { request: 'join', ptype: 'publisher', display },
                        error: cause => {
                            h.detach();
                            reject(new Error(String(cause)));
                        },
                    });
                },
                error: cause => reject(new Error(String(cause))),
                onmessage: (message, jsep) => {
                    if (message.videoroom === 'joined') {
                        joined = true;
                        resolve(handle);
                    }
                    // 436: my camera's or screen's id is still in the Janus room (the relay ended my other page's
                    // publisher, or the host's stop, and Janus has not let it go yet): ask again a few times.
                    if (message.error_code === 436 && display !== 'watch' && tries < 5) {
                        tries += 1;
                        setTimeout(() => {
                            if (!this.closed) { handle.send({ message: { request: 'join', ptype: 'publisher', display } }); }
                        }, 500 * tries);
                        return;
                    }
                    if (!joined && (message.error_code || message.error)) {
                        handle.detach();
                        reject(new Error(String(message.error ?? message.error_code)));
                        return;
                    }
                    if (display === 'watch') {
                        this.onWatcherMessage(handle, message);
                    } else {
                        this.onPublisherMessage(handle, display, message, jsep);
                    }
                },
                onlocaltrack: (track, on) => this.onLocalTrack(display, track, on),
                onremotetrack: () => {},
                oncleanup: () => this.onLocalStopped(display),
            });
        });
    }

    async attachWatcher() {
        this.watcher = await this.attach('watch');
    }

    // The watcher hears the room: who publishes, who stops, leaves or is stopped by the host.
    onWatcherMessage(handle, message) {
        if (Array.isArray(message.publishers)) {
            for (const publisher of message.publishers) {
                this.publisherAppeared(publisher);
            }
        }
        // Someone stopped, left, or was stopped by the host ("kicked" names them to everyone else).
        const gone = message.unpublished ?? message.leaving ?? message.kicked;
        if (gone !== undefined && gone !== 'ok') {
            this.publisherGone(String(gone));
        }
        if (message.leaving === 'ok' && handle === this.watcher) {
            // Put out of the Janus room (it was made again): join again to keep seeing the others.
            handle.detach();
            this.watcher = null;
            if (!this.closed) { this.attachWatcher().catch(error => this.lost(String(error))); }
        }
    }

    // My camera's or screen's own handle: its negotiation, and its end.
    onPublisherMessage(handle, display, message, jsep) {
        if (jsep) {
            handle.handleRemoteJsep({ jsep });
        }
        // 435: "not published", the answer to an unpublish after the picture already ended (unplugged, hung up).
        if ((message.error_code || message.error) && message.error_code !== 435) {
            this.dotnet.invokeMethodAsync('VideoProblem', 'Video.Problem.Failed').catch(() => {});
        }
        if ((message.leaving === 'ok' || message.unpublished === 'ok') && this[display] === handle) {
            // Ended by the host, or by another page of mine that started its own (the relay ends this one first): the
            // picture ends here, and stays off after a reconnect. The handle goes: the watcher keeps hearing the room.
            this.dotnet.invokeMethodAsync('Stopped', display).catch(() => {});
            this[display] = null;
            handle.detach();
            this.local.delete(display);
            this.changed();
        }
    }

    publisherAppeared(publisher) {
        const id = String(publisher.id);
        const dash = id.indexOf('-');
        const kind = id.substring(0, dash);
        const personId = id.substring(dash + 1);
        if (kind !== 'camera' && kind !== 'screen') { return; }
        if (personId === this.me) {
            this.mine.set(id, kind);
            this.changed();
            return;
        }
        this.wanted.set(id, { personId, kind });
        this.changed();
        this.subscribe();
    }

    publisherGone(id) {
        if (this.mine.delete(id)) {
            this.changed();
            return;
        }
        if (!this.wanted.delete(id)) { return; }
        this.streams.delete(id);
        if (this.subscribed.delete(id) && this.subscriber) {
            this.dropped.add(id);
            this.subscribe();
        }
        this.changed();
    }

    // Pictures received but off the page: given up after the grace, or at once (the oldest first) beyond one page's
    // worth, so the page never asks for more than the relay lets one connection receive (2 × CamerasPerPage + 4).
    releaseHidden() {
        const now = performance.now();
        for (const id of this.hiddenSince.keys()) {
            if (!this.subscribed.has(id)) { this.hiddenSince.delete(id); }
        }
        for (const id of this.subscribed) {
            if (this.shown.has(id)) {
                this.hiddenSince.delete(id);
            } else if (!this.hiddenSince.has(id)) {
                this.hiddenSince.set(id, now);
            }
        }
        const hidden = [...this.hiddenSince].sort((a, b) => a[1] - b[1]);
        hidden.forEach(([id, since], i) => {
            if (now - since >= HiddenGraceMs || hidden.length - i > this.perPage) {
                this.subscribed.delete(id);
                this.hiddenSince.delete(id);
                this.streams.delete(id);
                this.dropped.add(id);
                this.changed();
            }
        });
    }

    // Asks for every picture with a tile on the page and not yet asked for: one join, then updates on the same handle.
    // One renegotiation at a time: an unsubscribe and a subscribe in flight together (a camera stopped by the host
    // and started again at once, under the same feed id) crossed offers, and the new picture never arrived.
    subscribe() {
        if (this.subscribing || this.closed) { return; }
        this.releaseHidden();
        if (this.dropped.size > 0 && this.subscriber) {
            const streams = [...this.dropped].filter(id => !this.subscribed.has(id)).map(feed => ({ feed }));
            this.dropped.clear();
            if (streams.length > 0) {
                this.subscribing = true;
                this.subscriber.send({ message: { request: 'unsubscribe', streams } });
                return;
            }
        }
        if (this.audioOnly) { return; }
        const fresh = [...this.wanted.keys()].filter(id => !this.subscribed.has(id) && this.shown.has(id));
        if (fresh.length === 0) { return; }
        this.subscribing = true;
        fresh.forEach(id => this.subscribed.add(id));
        const streams = fresh.map(feed => ({ feed, ...playoutDelayOf(this.wanted.get(feed)?.kind) }));
        if (this.subscriber) {
            this.subscriber.send({ message: { request: 'subscribe', streams } });
            return;
        }
        let own = null;
        this.janus.attach({
            plugin: 'janus.plugin.videoroom',
            success: handle => {
                own = handle;
                this.subscriber = handle;
                handle.send({ message: { request: 'join', ptype: 'subscriber', streams } });
            },
            error: () => { this.subscribing = false; },
            onmessage: (message, jsep) => this.onSubscriberMessage(message, jsep),
            onremotetrack: (track, mid, on) => this.onRemoteTrack(track, mid, on),
            oncleanup: () => {
                // A handle left behind (audio only turned on and off again) ends later than its successor began.
                if (this.subscriber !== own) { return; }
                this.subscriber = null;
                this.subscribed.clear();
                this.dropped.clear();
                this.midFeed.clear();
                this.streams.clear();
                this.changed();
            },
        });
    }

    onSubscriberMessage(message, jsep) {
        if (Array.isArray(message.streams)) {
            for (const stream of message.streams) {
                if (stream.type === 'video' && stream.feed_id !== undefined) {
                    this.midFeed.set(stream.mid, String(stream.feed_id));
                }
            }
        }
        if (message.error) {
            // A refused step (the feed already gone) ends this turn; whatever waits goes next.
            this.subscribing = false;
            if (!jsep) { queueMicrotask(() => this.subscribe()); }
        }
        if (jsep) {
            // Receive only: no audio, no video of mine on this connection.
            this.subscriber.createAnswer({
                jsep,
                tracks: [{ type: 'data' }],
                success: answer => {
                    this.subscriber.send({ message: { request: 'start' }, jsep: answer });
                    this.subscribing = false;
                    this.receiveNegotiated();
                    this.subscribe();
                },
                error: () => { this.subscribing = false; },
            });
        } else if (message.videoroom === 'updated' || message.videoroom === 'attached') {
            this.subscribing = false;
            this.subscribe();
        }
    }

    // Which picture each receiving transceiver carries now, read from the connection after every negotiation rather
    // than from track events alone: a camera stopped and started again at once can come back on the same m-line in a
    // single offer, and then the browser raises no new track event (the track only unmutes), so the tile would stay dark.
    receiveNegotiated() {
        const pc = this.subscriber?.webrtcStuff?.pc;
        if (!pc) { return; }
        for (const transceiver of pc.getTransceivers()) {
            const feed = this.midFeed.get(transceiver.mid);
            const track = transceiver.receiver.track;
            const receiving = transceiver.currentDirection === 'recvonly' || transceiver.currentDirection === 'sendrecv';
            if (!feed || track?.kind !== 'video' || !receiving || !this.subscribed.has(feed)) { continue; }
            if (this.streams.get(feed)?.getVideoTracks()[0] !== track) {
                this.streams.set(feed, new MediaStream([track]));
                // A new picture on this m-line starts at Janus' default layer: the tile asks for its own again.
                this.layers.delete(transceiver.mid);
            }
        }
        this.changed();
    }

    onRemoteTrack(track, mid, on) {
        const feed = this.midFeed.get(mid);
        if (!feed || track.kind !== 'video') { return; }
        if (on && this.subscribed.has(feed)) {
            this.streams.set(feed, new MediaStream([track]));
        } else if (this.streams.get(feed)?.getVideoTracks()[0]?.id === track.id) {
            this.streams.delete(feed);
        }
        this.changed();
    }

    onLocalTrack(display, track, on) {
        if (track.kind !== 'video') { return; }
        if (on) {
            this.local.set(display, new MediaStream([track]));
            // A camera unplugged or a share ended from the browser's own bar: say so; audio goes on.
            track.addEventListener('ended', () => {
                if (display === 'camera') {
                    this.dotnet.invokeMethodAsync('VideoProblem', 'Video.Problem.Unplugged').catch(() => {});
                    this.stopCamera();
                } else {
                    this.stopScreen();
                }
            }, { once: true });
        } else {
            this.local.delete(display);
        }
        this.changed();
    }

    onLocalStopped(display) {
        this.local.delete(display);
        this.changed();
    }

    publish(handle, track) {
        return new Promise((resolve, reject) => {
            handle.createOffer({
                tracks: [track],
                success: jsep => {
                    handle.send({ message: { request: 'publish' }, jsep });
                    resolve();
                },
                error: error => reject(error),
            });
        });
    }

    async startCamera(deviceId) {
        // Joining as my camera ends it on any other page of mine (the relay does): the newest page sends it.
        if (!this.camera) {
            try {
                this.camera = await this.attach('camera');
            } catch {
                return 'Video.Problem.Failed';
            }
        }
        const capture = deviceId ? { deviceId: { exact: deviceId }, width: { ideal: 1280 }, height: { ideal: 720 } } : { width: { ideal: 1280 }, height: { ideal: 720 } };
        try {
            // Three simulcast layers (full, half, quarter size); each viewer gets the one its tile needs.
            await this.publish(this.camera, { type: 'video', capture, simulcast: true, recv: false });
            return null;
        } catch (error) {
            return problemOf(error);
        }
    }

    stopCamera() {
        if (this.camera) {
            // Leaving the room as my camera (the watcher stays): everyone sees it end.
            this.camera.detach();
            this.camera = null;
        }
        this.local.delete('camera');
        this.changed();
    }

    async startScreen() {
        try {
            this.screen ??= await this.attach('screen');
            await this.publish(this.screen, { type: 'screen', capture: true, recv: false });
            return null;
        } catch (error) {
            return problemOf(error);
        }
    }

    stopScreen() {
        if (this.screen) {
            this.screen.detach();
            this.screen = null;
        }
        this.local.delete('screen');
        this.changed();
    }

    // Asks Janus again for every camera this page receives, with the playout delay now chosen. -1 stops the extension,
    // but Chromium keeps the delay it last saw: a comparison measures the smoothing first and zero after, never back.
    applyPlayoutDelay() {
        if (!this.subscriber) { return; }
        const streams = [...this.midFeed].filter(([, feed]) => this.wanted.get(feed)?.kind === 'camera')
            .map(([mid]) => ({ mid, ...(zeroPlayoutDelay ? { min_delay: 0, max_delay: 0 } : { min_delay: -1 }) }));
        if (streams.length > 0) {
            this.subscriber.send({ message: { request: 'configure', streams } });
        }
    }

    // "Audio only": the node stops forwarding every picture to this page, and starts again when it is turned off.
    setAudioOnly(on) {
        this.audioOnly = on;
        if (on && this.subscriber) {
            this.subscriber.detach();
            this.subscriber = null;
            this.subscribed.clear();
            this.dropped.clear();
            this.midFeed.clear();
            this.streams.clear();
            this.subscribing = false;
        } else if (!on) {
            this.subscribe();
        }
        this.changed();
    }

    feeds() {
        const list = [];
        for (const kind of ['screen', 'camera']) {
            if (this.local.has(kind)) { list.push({ personId: this.me, kind, self: true }); }
        }
        for (const [id, feed] of this.wanted) {
            list.push({ personId: feed.personId, kind: feed.kind, self: false, receiving: this.streams.has(id) });
        }
        return list;
    }

    // What of mine another page of mine sends now ('camera', 'screen'): published under my id, and not from here.
    elsewhere() {
        return [...new Set(this.mine.values())].filter(kind => !this.local.has(kind));
    }

    changed() {
        if (this.pending) { return; }
        this.pending = true;
        queueMicrotask(() => {
            this.pending = false;
            if (!this.closed) {
                this.dotnet.invokeMethodAsync('FeedsChanged', this.feeds(), this.elsewhere()).catch(() => {});
            }
        });
    }

    // After each render: the page receives the pictures it has tiles for, every tile gets its stream, and each viewer
    // asks for the layer its tile's size needs.
    fill(root) {
        const shown = new Set([...root.querySelectorAll('video[data-feed][data-self="false"]')].map(video => video.dataset.feed));
        if (shown.size !== this.shown.size || [...shown].some(id => !this.shown.has(id))) {
            this.shown = shown;
            this.subscribe();
        }
        for (const video of root.querySelectorAll('video[data-feed]')) {
            const feed = video.dataset.feed;
            const self = video.dataset.self === 'true';
            const stream = self ? this.local.get(video.dataset.kind) : this.streams.get(feed);
            if (video.srcObject !== (stream ?? null)) {
                video.srcObject = stream ?? null;
                if (stream) { video.play().catch(() => {}); }
            }
            if (!self && stream && this.subscriber) {
                for (const [mid, id] of this.midFeed) {
                    if (id !== feed) { continue; }
                    const layer = Math.min(layerFor(video.clientWidth), this.ceiling.ceiling);
                    if (this.layers.get(mid) !== layer) {
                        this.layers.set(mid, layer);
                        this.subscriber.send({ message: { request: 'configure', streams: [{ mid, substream: layer }] } });
                    }
                }
            }
        }
    }

    // A tile without a picture (audio only, or not yet received) reports no frames and no size: what is shown now.
    tiles(root) {
        return [...root.querySelectorAll('video[data-feed]')].map(video => {
            const showing = video.srcObject !== null && video.srcObject.getVideoTracks().some(t => t.readyState === 'live');
            return {
                personId: video.dataset.person,
                kind: video.dataset.kind,
                self: video.dataset.self === 'true',
                framesDecoded: showing ? (video.webkitDecodedFrameCount ?? video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0) : 0,
                width: showing ? video.videoWidth : 0,
                height: showing ? video.videoHeight : 0,
            };
        });
    }

    // Each peer connection's selected ICE candidate pair: the addresses its media flows between.
    async connections() {
        const list = [];
        for (const [name, handle] of [['camera', this.camera], ['screen', this.screen], ['subscriber', this.subscriber]]) {
            const connection = handle?.webrtcStuff?.pc;
            if (!connection) { continue; }
            const stats = await connection.getStats();
            let pair = null;
            stats.forEach(report => {
                if (report.type === 'transport' && report.selectedCandidatePairId) { pair = stats.get(report.selectedCandidatePairId); }
            });
            const local = pair ? stats.get(pair.localCandidateId) : null;
            const remote = pair ? stats.get(pair.remoteCandidateId) : null;
            list.push({
                name,
                state: connection.iceConnectionState,
                local: local ? `${local.address ?? local.ip}:${local.port}` : null,
                remote: remote ? `${remote.address ?? remote.ip}:${remote.port}` : null,
            });
        }
        return list;
    }

    // Feed ids this page receives now (asked of Janus), for tests and diagnostics.
    receiving() {
        return [...this.subscribed];
    }

    close() {
        this.closed = true;
        clearInterval(this.sweep);
        try { this.janus?.destroy({ notifyDestroyed: false }); } catch { /* already gone */ }
        for (const stream of this.local.values()) {
            stream.getTracks().forEach(t => t.stop());
        }
    }
}

let stage = null;
let stageRoot = null;

// For tests and diagnostics: what each tile shows now.
window.loki ??= {};
window.loki.video = {
    tiles: () => (stage && stageRoot ? stage.tiles(stageRoot) : []),
    receiving: () => (stage ? stage.receiving() : []),
    // The largest simulcast layer the page asks for now (2 full size; lower on a link that loses packets).
    ceiling: () => (stage ? stage.ceiling.ceiling : null),
    connections: () => (stage ? stage.connections() : Promise.resolve([])),
    // Measurements: cameras shown as soon as decoded (the default), or with the browser's own smoothing delay.
    zeroPlayoutDelay: on => {
        zeroPlayoutDelay = on;
        stage?.applyPlayoutDelay();
    },
};

export async function connect(relayUrl, token, me, dotnet, perPage) {
    await init();
    stage?.close();
    stage = new Stage(relayUrl, token, me, dotnet, perPage);
    await stage.connect();
}

export async function listCameras() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter(d => d.kind === 'videoinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

export const startCamera = deviceId => stage?.startCamera(deviceId) ?? 'Video.Problem.Failed';
export const stopCamera = () => stage?.stopCamera();
export const startScreen = () => stage?.startScreen() ?? 'Video.Problem.Failed';
export const stopScreen = () => stage?.stopScreen();
export const setAudioOnly = on => stage?.setAudioOnly(on);
// The tiles' element is handed over after every render: the component redraws it (e.g. after "video not available"
// while Janus restarted), and an element from before would be a detached copy nobody sees.
export const fill = root => {
    stageRoot = root;
    if (stage && stageRoot) { stage.fill(stageRoot); }
};

export function disconnect() {
    stage?.close();
    stage = null;
}
