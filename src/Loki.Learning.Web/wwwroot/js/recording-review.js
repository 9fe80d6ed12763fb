// The recording review page: one waveform per lane (the mix and each participant's track, wavesurfer.js bundled by
// the build), played together in the browser with Web Audio, mute and solo per lane, a bar ruler and markers from the
// take's timeline, and the zip export with a progress bar. The mix is the clock: the tracks follow its time, each from
// its own start in the take. A chosen camera or screen of the take plays in a <video> that follows the same clock
// from its own start; its own controls drive the take back (play, pause, seek). Tests read window.loki.review.state().
import WaveSurfer from '../lib/wavesurfer/wavesurfer.esm.js';

let take = null;

export async function mount(root, data, page) {
    unmount();
    const lanes = data.lanes.map(lane => ({ ...lane, muted: lane.muted, solo: false, decoded: false, ws: null }));
    take = { root, data, lanes, playing: false, page, video: null };
    for (const lane of lanes) {
        const container = root.querySelector(`[data-lane="${lane.id}"] .wave`);
        lane.ws = WaveSurfer.create({
            container,
            url: lane.url,
            backend: 'WebAudio',
            height: lane.id === 'mix' ? 72 : 48,
            waveColor: '#7a9bab',
            progressColor: '#0b5c7a',
            cursorColor: '#9b1c1c',
            normalize: true,
            fetchParams: { credentials: 'same-origin' },
        });
        lane.ws.on('decode', () => { lane.decoded = true; apply(); });
        lane.ws.on('error', () => { lane.failed = true; });
        lane.ws.on('interaction', time => seek(time + lane.start));
    }
    const mix = lanes[0];
    mix.ws.on('timeupdate', time => follow(time));
    mix.ws.on('finish', () => pause());
    drawRuler(root.querySelector('.recording-ruler'), data);
}

export function unmount() {
    if (!take) {
        return;
    }
    for (const lane of take.lanes) {
        lane.ws?.destroy();
    }
    chooseVideo(null, null, 0);
    take = null;
}

/// Mute or solo a lane; returns whether each lane is audible now.
export function toggle(id, what) {
    const lane = take?.lanes.find(l => l.id === id);
    if (lane) {
        lane[what] = !lane[what];
        apply();
    }
    return state();
}

function audible(lane) {
    const soloed = take.lanes.some(l => l.solo);
    return soloed ? lane.solo : !lane.muted;
}

function apply() {
    for (const lane of take.lanes) {
        lane.ws.setMuted(!audible(lane));
    }
}

export function play() {
    if (!take) {
        return;
    }
    take.playing = true;
    const now = take.lanes[0].ws.getCurrentTime();
    for (const lane of take.lanes) {
        place(lane, now);
    }
    syncVideo(now, true);
}

export function pause() {
    if (!take) {
        return;
    }
    take.playing = false;
    for (const lane of take.lanes) {
        lane.ws.pause();
    }
    syncVideo(current(), true);
}

/// Moves every lane to `seconds` of the take.
export function seek(seconds) {
    if (!take) {
        return;
    }
    const t = Math.max(0, Math.min(seconds, take.data.duration));
    for (const lane of take.lanes) {
        lane.ws.setTime(Math.max(0, Math.min(t - lane.start, lane.duration)));
        if (take.playing) {
            place(lane, t);
        }
    }
    follow(t);
    syncVideo(t, true);
}

/// Where the take is now, seconds.
export function current() {
    return take ? take.lanes[0].ws.getCurrentTime() : 0;
}

/// A track plays only while the take is within it.
function place(lane, t) {
    const inside = t >= lane.start && t < lane.start + lane.duration;
    if (take.playing && inside) {
        if (!lane.ws.isPlaying()) {
            lane.ws.setTime(t - lane.start);
            lane.ws.play();
        }
    } else if (lane.ws.isPlaying()) {
        lane.ws.pause();
    }
}

function follow(t) {
    if (!take) {
        return;
    }
    for (const lane of take.lanes.slice(1)) {
        place(lane, t);
    }
    syncVideo(t, false);
    const bar = [...take.data.bars].reverse().find(b => b.seconds <= t + 1e-6);
    const clock = take.root.querySelector('.recording-clock');
    if (clock) {
        clock.textContent = format(t) + (bar ? ` · ${take.data.barLabel} ${bar.bar}` : '');
    }
    const cursor = take.root.querySelector('.recording-ruler .cursor');
    if (cursor && take.data.duration > 0) {
        cursor.style.left = `${(100 * t) / take.data.duration}%`;
    }
}

/// Shows one camera or screen of the take in `element` (null url: none), starting `start` seconds into the take.
export function chooseVideo(element, url, start) {
    const old = take?.video;
    if (old) {
        old.abort.abort();
        old.element.pause();
        old.element.removeAttribute('src');
        old.element.load();
    }
    if (!take) {
        return;
    }
    take.video = null;
    if (!element || !url) {
        return;
    }
    const video = { element, url, start, abort: new AbortController() };
    take.video = video;
    const signal = video.abort.signal;
    // The video's own controls drive the take: what the take did itself never differs from the take's state.
    element.addEventListener('play', () => {
        if (!take.playing) {
            play();
            tell(true);
        }
    }, { signal });
    element.addEventListener('pause', () => {
        if (take.playing && !element.ended && inside(video, current())) {
            pause();
            tell(false);
        }
    }, { signal });
    element.addEventListener('seeked', () => {
        if (Math.abs(element.currentTime - (current() - video.start)) > 0.5) {
            seek(element.currentTime + video.start);
        }
    }, { signal });
    element.addEventListener('loadedmetadata', () => syncVideo(current(), true), { signal });
    element.src = url;
}

function tell(playing) {
    take?.page?.invokeMethodAsync('Played', playing).catch(() => { });
}

function inside(video, t) {
    const at = t - video.start;
    return at >= 0 && (Number.isNaN(video.element.duration) || at < video.element.duration);
}

/// Puts the chosen video where the take is: seeks when it drifted (or `force`), plays while the take plays inside it.
function syncVideo(t, force) {
    const video = take?.video;
    if (!video || video.element.readyState === 0) {
        return;
    }
    const element = video.element;
    const at = Math.max(0, t - video.start);
    const end = Number.isNaN(element.duration) ? at : Math.max(0, element.duration - 0.05);
    if (force || Math.abs(element.currentTime - Math.min(at, end)) > 0.3) {
        element.currentTime = Math.min(at, end);
    }
    if (take.playing && inside(video, t)) {
        if (element.paused) {
            element.play().catch(() => { });
        }
    } else if (!element.paused) {
        element.pause();
    }
}

function format(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds - m * 60;
    return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/// Bar numbers (thinned out to fit) and markers over the whole take; a click on a bar or marker jumps there.
function drawRuler(ruler, data) {
    if (!ruler || data.duration <= 0) {
        return;
    }
    ruler.replaceChildren();
    const every = Math.max(1, Math.ceil(data.bars.length / 40));
    data.bars.forEach((bar, i) => {
        const tick = document.createElement('button');
        tick.type = 'button';
        tick.className = i % every === 0 ? 'bar labelled' : 'bar';
        tick.style.left = `${(100 * bar.seconds) / data.duration}%`;
        tick.textContent = i % every === 0 ? String(bar.bar) : '';
        tick.title = `${data.barLabel} ${bar.bar}`;
        tick.setAttribute('aria-label', tick.title);
        tick.tabIndex = -1;
        tick.addEventListener('click', () => seek(bar.seconds));
        ruler.append(tick);
    });
    for (const marker of data.markers) {
        const flag = document.createElement('button');
        flag.type = 'button';
        flag.className = 'marker';
        flag.style.left = `${(100 * marker.seconds) / data.duration}%`;
        flag.textContent = marker.text;
        flag.tabIndex = -1;
        flag.addEventListener('click', () => seek(marker.seconds));
        ruler.append(flag);
    }
    const cursor = document.createElement('div');
    cursor.className = 'cursor';
    ruler.append(cursor);
}

export function state() {
    if (!take) {
        return null;
    }
    return {
        playing: take.playing,
        currentTime: current(),
        duration: take.data.duration,
        lanes: take.lanes.map(l => ({ id: l.id, decoded: l.decoded, failed: !!l.failed, muted: l.muted, solo: l.solo, audible: audible(l) })),
        video: take.video ? {
            url: take.video.url,
            start: take.video.start,
            currentTime: take.video.element.currentTime,
            duration: take.video.element.duration,
            paused: take.video.element.paused,
            frames: take.video.element.getVideoPlaybackQuality?.().totalVideoFrames ?? 0,
            width: take.video.element.videoWidth,
        } : null,
    };
}

/// Downloads the zip while showing how much of it has arrived (the server sends its expected size).
export async function exportZip(url, progress, fileName) {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) {
        return response.status;
    }
    const expected = Number(response.headers.get('X-Expected-Length')) || 0;
    const reader = response.body.getReader();
    const parts = [];
    let received = 0;
    progress.hidden = false;
    progress.value = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done) {
            break;
        }
        parts.push(value);
        received += value.length;
        if (expected > 0) {
            progress.value = Math.min(0.99, received / expected);
        }
    }
    progress.value = 1;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob(parts, { type: 'application/zip' }));
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return 200;
}

window.loki = window.loki || {};
window.loki.review = { state, play, pause, seek, current, toggle };
