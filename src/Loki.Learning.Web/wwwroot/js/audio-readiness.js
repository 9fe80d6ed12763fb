// Whether this browser, at this address, can take part in a room's audio. The room page asks as soon as it opens, so
// the reader learns why audio cannot work before pressing "Connect audio". Answers are text keys under
// Room.AudioReadiness.*; null means ready.

/** What stands in the way before any permission is asked: the origin, then the browser's abilities. */
export function problem() {
  // Browsers hide getUserMedia and AudioWorklet on insecure origins: http:// under any name but localhost.
  if (!window.isSecureContext) {
    return 'Insecure';
  }
  if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') {
    return 'NoMicrophoneApi';
  }
  if (typeof AudioWorkletNode === 'undefined' || typeof BaseAudioContext === 'undefined' || !('audioWorklet' in BaseAudioContext.prototype)) {
    return 'NoAudioWorklet';
  }
  return null;
}

/** The error a room audio call throws for a problem; the page shows its message, a text key, in the reader's language. */
export function problemError(key) {
  return new Error('Room.AudioReadiness.' + key);
}

/**
 * The microphone permission as the browser holds it ('granted', 'denied', 'prompt'; null when the browser does not
 * say), and from then on every change, to page.PermissionChanged(state): a reader who blocks the prompt learns why.
 */
export async function watchPermission(page) {
  if (!navigator.permissions || typeof navigator.permissions.query !== 'function') {
    return null;
  }
  let status;
  try {
    status = await navigator.permissions.query({ name: 'microphone' });
  } catch {
    return null;
  }
  status.onchange = () => page.invokeMethodAsync('PermissionChanged', status.state);
  watched.push(status);
  return status.state;
}

const watched = [];

/** Stops reporting permission changes (the page is gone). */
export function stop() {
  watched.splice(0).forEach((status) => { status.onchange = null; });
}
