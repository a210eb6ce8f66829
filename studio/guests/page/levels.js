// Levels of a live audio track with Web Audio: the microphone meter and the test hook's reading
// of the studio's return.

// The AnalyserNode windows with a Blackman window (mean 0.42) and scales by 1/fftSize, so a sine
// of peak amplitude A shows A * 0.42 / 2 in its bin: adding this back reads 20*log10(A).
const BLACKMAN_SINE_CORRECTION_DB = -20 * Math.log10(0.42 / 2);
const BINS_EACH_SIDE = 2; // the window spreads a sine over a few bins

export class TrackLevels {
  constructor(context, fftSize, { smoothing = 0.8 } = {}) {
    this.context = context;
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = fftSize;
    this.analyser.smoothingTimeConstant = smoothing;
    this.source = null;
  }

  // Follow another track (or none); the analyser stays.
  follow(track) {
    this.source?.disconnect();
    this.source = track ? this.context.createMediaStreamSource(new MediaStream([track])) : null;
    this.source?.connect(this.analyser);
  }

  get following() {
    return this.source !== null;
  }

  rmsDbfs() {
    if (!this.source) return -Infinity;
    const samples = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const rms = Math.sqrt(sum / samples.length);
    return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
  }

  // The peak level (dBFS of a sine's amplitude) near each frequency; -Infinity for silence.
  sineLevelsDbfs(frequenciesHz) {
    if (!this.source) return frequenciesHz.map(() => -Infinity);
    const spectrum = new Float32Array(this.analyser.frequencyBinCount);
    this.analyser.getFloatFrequencyData(spectrum);
    const binHz = this.context.sampleRate / this.analyser.fftSize;
    return frequenciesHz.map((frequency) => {
      const centre = Math.round(frequency / binHz);
      let peak = -Infinity;
      const last = Math.min(spectrum.length - 1, centre + BINS_EACH_SIDE);
      for (let bin = Math.max(0, centre - BINS_EACH_SIDE); bin <= last; bin++) peak = Math.max(peak, spectrum[bin]);
      return peak + BLACKMAN_SINE_CORRECTION_DB;
    });
  }
}
