// Amplitude of one frequency in a block of samples (Goertzel): how the audio diagnostics tell which tone is heard.
export function goertzel(samples, freqHz, rate) {
  const w = 2 * Math.PI * freqHz / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - c * s1 * s2;
  return samples.length ? 2 * Math.sqrt(Math.max(0, power)) / samples.length : 0;
}
