// Shows one score, MusicXML with OpenSheetMusicDisplay or PDF with pdf.js, both served from wwwroot/lib by this
// site (bundled from npm by the build). The room page calls show(bar, beat) on every animation frame from the beat
// clock, so show() does nothing but compare two numbers unless the cursor really has to move.
//
// show(): bars are 1-based in written order (repeats not expanded), as in ScoreMeasure.Bar; beat is the position
// inside the bar in that bar's beat units, counted from 0 at the bar line (2.5 = halfway through the third beat).
// follow(): bars as the beat timeline and musicians number them (ScoreMeasure.Number: the pickup is bar 0, a bar
// split around a repeat sign is one number over two written measures).

const osmdUrl = new URL('../lib/osmd/opensheetmusicdisplay.min.js', import.meta.url).href;
const pdfUrl = new URL('../lib/pdfjs/pdf.min.mjs', import.meta.url).href;
const pdfWorkerUrl = new URL('../lib/pdfjs/pdf.worker.min.mjs', import.meta.url).href;

// One state per mounted element: a room shows its score and its slides at once. Called without an element, the
// functions act on the primary view: the newest one not marked data-score-secondary (the room's score, not slides).
const views = new Map();
let osmdLoading = null;

function primaryView() {
    let found = null;
    for (const [element, state] of views) {
        if (element.dataset.scoreSecondary !== 'true') {
            found = state;
        }
    }
    return found;
}

function viewOf(element) {
    return element ? views.get(element) ?? null : primaryView();
}

function isPdf(choice) {
    return choice.kind === 1 || choice.kind === 'Pdf';
}

function loadOsmd() {
    if (window.opensheetmusicdisplay) {
        return Promise.resolve(window.opensheetmusicdisplay);
    }
    osmdLoading ??= new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = osmdUrl;
        script.onload = () => resolve(window.opensheetmusicdisplay);
        script.onerror = () => reject(new Error('OpenSheetMusicDisplay did not load'));
        document.head.appendChild(script);
    });
    return osmdLoading;
}

async function fetchScore(url) {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) {
        throw new Error(`score file: HTTP ${response.status}`);
    }
    return new Uint8Array(await response.arrayBuffer());
}

/// Renders the score into element (its previous content is replaced) and resolves when it is visible.
export async function mount(element, choice) {
    unmount(element);
    const surface = element.querySelector('[data-score-surface]') ?? element;
    const notes = element.querySelector('[data-score-notes]');
    surface.replaceChildren();
    const state = { element, surface, notes, choice, bar: 0, page: 1, step: -1, annotations: [], shownNotesKey: '' };
    views.set(element, state);
    const bytes = await fetchScore(choice.fileUrl);
    if (isPdf(choice)) {
        await mountPdf(state, bytes);
    } else {
        await mountMusicXml(state, bytes);
    }
    element.dataset.scoreReady = 'true';
    return { bars: choice.measures.length, pages: state.pageCount ?? 1 };
}

export function unmount(element) {
    const view = viewOf(element);
    if (!view) {
        return;
    }
    try {
        view.osmd?.clear();
        view.pdf?.destroy();
    } catch {
        // The page may already be gone.
    }
    delete view.element.dataset.scoreReady;
    views.delete(view.element);
}

async function mountMusicXml(state, bytes) {
    const library = await loadOsmd();
    const container = document.createElement('div');
    container.className = 'score-osmd';
    state.surface.appendChild(container);
    const osmd = new library.OpenSheetMusicDisplay(container, {
        backend: 'svg',
        autoResize: true,
        drawTitle: true,
        // OSMD's own following scrolls the cursor into view with the page too; reveal() scrolls the score alone.
        followCursor: false,
        cursorsOptions: [{ type: 0, color: '#1f6feb', alpha: 0.5, follow: false }],
    });
    const isZip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
    await osmd.load(isZip ? new Blob([bytes]) : decodeXml(bytes));
    // A phone's column is narrower than a printed page: drawn at full size, the title and a bar's notes would not
    // fit, and following the cursor would scroll the score sideways past them.
    osmd.zoom = Math.min(1, Math.max(0.5, container.clientWidth / 760));
    osmd.render();
    osmd.cursor.show();
    // The cursor is an image drawn over the notes: decoration, not content.
    osmd.cursor.cursorElement?.setAttribute('alt', '');
    state.osmd = osmd;
    state.steps = indexSteps(osmd);
    state.bar = 1;
    state.step = 0;
    renderNotes(state);
}

/// MusicXML text as its author's program wrote it: by the byte-order mark, else by the declaration's encoding
/// (Finale and older Sibelius write UTF-16 or Latin-1), else UTF-8 (what the XML standard assumes).
export function decodeXml(bytes) {
    const decode = (label) => new TextDecoder(label).decode(bytes);
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        return decode('utf-8');
    }
    if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0x3c && bytes[1] === 0x00))) {
        return decode('utf-16le');
    }
    if (bytes.length >= 2 && ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0x00 && bytes[1] === 0x3c))) {
        return decode('utf-16be');
    }
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    if (declared) {
        try {
            return decode(declared[1]);
        } catch {
            // An encoding the browser does not know: UTF-8 below, as the server would refuse anything else.
        }
    }
    return decode('utf-8');
}

/// Per bar (0-based written index): the cursor positions inside it, as offsets from the bar line in whole notes,
/// with the source timestamp that puts the cursor there. Only the first pass through a bar counts (repeats).
function indexSteps(osmd) {
    const steps = [];
    const iterator = new (osmd.cursor.Iterator.constructor)(osmd.Sheet);
    const left = new Set();
    let previous = -1;
    for (let guard = 0; !iterator.EndReached && guard < 200000; guard++) {
        const measure = iterator.CurrentMeasureIndex;
        if (measure !== previous) {
            left.add(previous);
            previous = measure;
        }
        if (!left.has(measure)) {
            const timestamp = iterator.CurrentSourceTimestamp;
            const offset = timestamp.RealValue - iterator.CurrentMeasure.AbsoluteTimestamp.RealValue;
            (steps[measure] ??= []).push({ offset, timestamp: timestamp.clone() });
        }
        iterator.moveToNext();
    }
    return steps;
}

/// Moves the cursor to a bar and beat. Cheap when nothing changes: the room calls it on every animation frame.
export function show(bar, beat = 0, element = undefined) {
    return showIn(viewOf(element), bar, beat);
}

function showIn(state, bar, beat) {
    if (!state?.osmd || !Number.isFinite(bar)) {
        return false;
    }
    const index = Math.min(Math.max(Math.trunc(bar), 1), state.steps.length) - 1;
    const inBar = state.steps[index];
    if (!inBar) {
        return false;
    }
    const beatType = state.choice.measures[index]?.beatType ?? 4;
    const target = (Number.isFinite(beat) && beat > 0 ? beat : 0) / beatType + 1e-9;
    let position = 0;
    while (position + 1 < inBar.length && inBar[position + 1].offset <= target) {
        position++;
    }
    const step = index * 100000 + position;
    if (step === state.step) {
        return true;
    }
    moveCursor(state, inBar[position].timestamp);
    const barChanged = state.bar !== index + 1;
    state.step = step;
    state.bar = index + 1;
    if (barChanged) {
        reveal(state.osmd.cursor.cursorElement);
        renderNotes(state);
    }
    return true;
}

/// Moves the cursor to a bar as the beat timeline numbers it (ScoreMeasure.Number) and a beat into it, in beats of
/// beatUnit (the timeline's unit for that bar; a short bar may be counted in eighths). Bar 0 is the pickup: the
/// timeline counts it as a whole bar (the last of the count-in) whose last beats are the pickup's notes, so the
/// cursor waits at the pickup until they begin. Bars before the first sit at the start, after the last at the end.
export function follow(bar, beat = 0, beatUnit = 0, element = undefined) {
    const state = viewOf(element);
    const show = (b, t) => showIn(state, b, t);
    if (!state?.osmd || !Number.isFinite(bar)) {
        return false;
    }
    const measures = state.choice.measures;
    if (measures.length === 0) {
        return false;
    }
    const numberOf = (m) => m.number ?? m.bar;
    const lengthOf = (m) => (m.length ?? m.beats) / m.beatType;
    const group = measures.filter(m => numberOf(m) === Math.trunc(bar));
    if (group.length === 0) {
        return Math.trunc(bar) > numberOf(measures[measures.length - 1]) ? show(measures[measures.length - 1].bar, 0) : show(measures[0].bar, 0);
    }
    let wholes = Math.max(0, Number.isFinite(beat) ? beat : 0) / (beatUnit || group[0].beatType);
    if (numberOf(group[0]) === 0) {
        // The timeline's bar 0 is a whole bar of the printed metre; the pickup is its end.
        const pickup = group.reduce((sum, m) => sum + lengthOf(m), 0);
        wholes -= group[0].beats / group[0].beatType - pickup;
        if (wholes < 0) {
            return show(group[0].bar, 0);
        }
    }
    for (let i = 0; i < group.length; i++) {
        const length = lengthOf(group[i]);
        if (wholes < length - 1e-9 || i === group.length - 1) {
            return show(group[i].bar, wholes * group[i].beatType);
        }
        wholes -= length;
    }
    return false;
}

/// Scrolls the score's own surface so the cursor is in view. Never scrollIntoView: that scrolls every scrollable
/// ancestor, the page too, and following the music would push the room's controls out of sight.
function reveal(element) {
  const surface = element?.closest('[data-score-surface]');
  if (!surface) {
    return;
  }
  const box = element.getBoundingClientRect();
  const frame = surface.getBoundingClientRect();
  const margin = 16;
  if (box.top < frame.top + margin || box.bottom > frame.bottom - margin) {
    surface.scrollTop += box.top - frame.top - margin;
  }
  if (box.left < frame.left || box.right > frame.right) {
    surface.scrollLeft += box.left - frame.left - margin;
  }
}

// Forward within the next bar or two the cursor steps on (the usual case while playing); anywhere else it is placed
// by a fresh iterator started at that time (what the iterator's constructor does with a start timestamp).
// Iterator.clone(timestamp) would keep the old position's voice entries, so it is not used.
function moveCursor(state, timestamp) {
    const cursor = state.osmd.cursor;
    const iterator = cursor.Iterator;
    const ahead = timestamp.RealValue - iterator.CurrentSourceTimestamp.RealValue;
    if (ahead > 0 && ahead <= 2 * (iterator.CurrentMeasure?.Duration?.RealValue ?? 1)) {
        for (let guard = 0; guard < 1000 && !iterator.EndReached && iterator.CurrentSourceTimestamp.RealValue < timestamp.RealValue - 1e-9; guard++) {
            iterator.moveToNext();
        }
    } else {
        cursor.iterator = new (iterator.constructor)(state.osmd.Sheet, timestamp);
    }
    cursor.update();
}

/// For a PDF: shows page n (1-based). Cheap when it is already shown.
export async function showPage(page, element = undefined) {
    const state = viewOf(element);
    if (!state?.pdf || !Number.isFinite(page)) {
        return false;
    }
    const target = Math.min(Math.max(Math.trunc(page), 1), state.pageCount);
    if (target === state.page && state.rendered) {
        return true;
    }
    state.page = target;
    await renderPdfPage(state);
    renderNotes(state);
    return true;
}

export function current(element = undefined) {
    const view = viewOf(element);
    if (!view) {
        return { bar: null, page: null };
    }
    if (view.pdf) {
        return { bar: null, page: view.page };
    }
    // Read back from the cursor itself, so a test sees where it really is. bar: written order; number: as counted
    // (the pickup is 0).
    const cursor = view.osmd?.cursor;
    const bar = cursor ? cursor.Iterator.CurrentMeasureIndex + 1 : null;
    const measure = bar ? view.choice.measures[bar - 1] : null;
    return { bar, number: measure ? (measure.number ?? measure.bar) : null, page: cursor?.currentPageNumber ?? 1 };
}

/// Annotations ({ bar, mark, text, authorName }) to show beside the score: those on the bar under the cursor and
/// the next few (for a PDF, on the page shown).
export function setAnnotations(annotations, element = undefined) {
    const view = viewOf(element);
    if (!view) {
        return;
    }
    view.annotations = Array.isArray(annotations) ? annotations : [];
    view.shownNotesKey = '';
    renderNotes(view);
}

const lookAheadBars = 4;

function renderNotes(state) {
    if (!state.notes) {
        return;
    }
    const from = state.pdf ? state.page : state.bar;
    const to = state.pdf ? state.page : state.bar + lookAheadBars - 1;
    const key = `${from}-${to}-${state.annotations.length}`;
    if (key === state.shownNotesKey) {
        return;
    }
    state.shownNotesKey = key;
    const visible = state.annotations.filter(a => a.bar >= from && a.bar <= to);
    const items = visible.map(a => {
        const item = document.createElement('li');
        item.dataset.bar = a.bar;
        const where = document.createElement('strong');
        where.textContent = `${a.bar}`;
        const text = document.createElement('span');
        text.textContent = ` ${a.markLabel ?? a.mark}${a.text ? ': ' + a.text : ''} (${a.authorName})`;
        item.append(where, text);
        return item;
    });
    state.notes.replaceChildren(...items);
    state.notes.hidden = items.length === 0;
}

async function mountPdf(state, bytes) {
    const pdfjs = await import(pdfUrl);
    pdfjs.GlobalWorkerOptions.workerSrc = pdfWorkerUrl;
    state.pdfjs = pdfjs;
    state.pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false, disableAutoFetch: true }).promise;
    state.pageCount = state.pdf.numPages;
    const canvas = document.createElement('canvas');
    canvas.className = 'score-page';
    state.surface.appendChild(canvas);
    state.canvas = canvas;
    state.page = 1;
    await renderPdfPage(state);
    renderNotes(state);
}

async function renderPdfPage(state) {
    state.rendering?.cancel();
    const page = await state.pdf.getPage(state.page);
    const width = Math.max(state.surface.clientWidth || 800, 320);
    const unscaled = page.getViewport({ scale: 1 });
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: (width / unscaled.width) * ratio });
    state.canvas.width = Math.floor(viewport.width);
    state.canvas.height = Math.floor(viewport.height);
    state.canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
    state.canvas.setAttribute('aria-label', `${state.page} / ${state.pageCount}`);
    state.rendering = page.render({ canvas: state.canvas, canvasContext: state.canvas.getContext('2d'), viewport });
    try {
        await state.rendering.promise;
        state.rendered = true;
    } catch (error) {
        if (error?.name !== 'RenderingCancelledException') {
            throw error;
        }
    }
}

window.loki = window.loki || {};
window.loki.score = { show, follow, current, showPage };
