// The ping and pong frames of docs/protocol.md §7.1, shared by the clock socket (metronome.js) and the audio
// socket's worker (room-audio-socket.js): 24-byte header, little-endian, µs since the Unix epoch as two u32 halves
// (no BigInt: the values stay below 2^53).

const VERSION = 1;
const KIND_PING = 2;
const KIND_PONG = 3;

/** A ping carrying the sender's clock (µs since the epoch). */
export function pingFrame(sequence, micros) {
  const buffer = new ArrayBuffer(24);
  const view = new DataView(buffer);
  view.setUint8(0, VERSION);
  view.setUint8(1, KIND_PING);
  view.setUint32(8, sequence >>> 0, true);
  const whole = Math.round(micros);
  view.setUint32(16, whole % 4294967296, true);
  view.setUint32(20, Math.floor(whole / 4294967296), true);
  return buffer;
}

/** The echoed send time and the server's receive time (both µs) of a pong, or null for any other message. */
export function readPong(data) {
  if (!(data instanceof ArrayBuffer) || data.byteLength !== 32) {
    return null;
  }
  const view = new DataView(data);
  if (view.getUint8(0) !== VERSION || view.getUint8(1) !== KIND_PONG) {
    return null;
  }
  const micros = (offset) => view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 4294967296;
  return { sentMicros: micros(16), serverMicros: micros(24) };
}
