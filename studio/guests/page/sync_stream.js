// Test mode's lip-sync pair (?test=1&sync=1), the guest-side twin of the studio's own sync show
// (studio/engine/builtin_shows.py): the video sent is a canvas that is black except a flash, three
// white frames (100 ms), starting at each whole second of performance.now(), and the sound sent,
// instead of the microphone, is a 50 ms 1 kHz beep starting at the same moment (Web Audio into a
// MediaStreamAudioDestinationNode). A recording of program then shows how far apart the studio
// puts the two on air (tests/test_guest_lip_sync.py): a flash's onset is the first program frame
// that shows it.
//
// The flash lasts more than a frame because program shows, at each tick, the newest picture due
// by then: this canvas's frames come a timer's few ms early or late (and Chromium stamps them to
// the ms), so with the ticks close to the pictures' stamps a single white frame whose successor is
// due before the next tick is never shown at all. Its second frame is then what that tick shows:
// the onset stays the first tick after the flash began.
//
// The canvas is captured only when a frame is asked for (captureStream(0) + requestFrame()),
// at 30 fps on a timer: a stream captured at its own rate could skip the flash's first frame.
// A timer fires late by a few ms (more on a busy machine), so each flash's lateness after its
// whole second is kept: that much of any offset measured at the studio is the page's own.

const FPS = 30;
const FRAME_MS = 1000 / FPS;
const FLASH_FRAMES = 3; // white frames from each whole second on
const BEEP_HZ = 1000;
const BEEP_S = 0.05;
const BEEP_PEAK = 0.5; // -6 dBFS
const BEEP_AHEAD_MS = 400; // a beep goes onto the audio clock this long before it sounds
const LATENESS_KEPT = 64;
const BLACK = "#000000";
const WHITE = "#ffffff";

export class SyncStream {
  constructor(width, height) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = width;
    this.canvas.height = height;
    this.context = this.canvas.getContext("2d", { alpha: false });
    this.videoTrack = this.canvas.captureStream(0).getVideoTracks()[0];

    this.audioContext = new AudioContext({ sampleRate: 48000 });
    this.audioContext.resume().catch(() => {});
    const oscillator = new OscillatorNode(this.audioContext, { frequency: BEEP_HZ });
    this.gain = new GainNode(this.audioContext, { gain: 0 });
    const destination = new MediaStreamAudioDestinationNode(this.audioContext, { channelCount: 2 });
    oscillator.connect(this.gain).connect(destination);
    oscillator.start();
    this.audioTrack = destination.stream.getAudioTracks()[0];

    this.flashLatenessMs = []; // per flash: ms between its whole second and drawing its first frame
    this._nextFrame = Math.ceil(performance.now() / FRAME_MS);
    this._beepsUpTo = Math.floor(performance.now() / 1000); // whole seconds already on the audio clock
    this._timer = null;
    this._tick();
  }

  stop() {
    clearTimeout(this._timer);
    this.videoTrack.stop();
    this.audioTrack.stop();
    this.audioContext.close().catch(() => {});
  }

  _tick() {
    const now = performance.now();
    let frame = this._nextFrame;
    const due = Math.floor(now / FRAME_MS);
    if (due > frame) {
      // Late by more than a frame: skip ahead, but never past the first frame of a flash.
      const nextFlash = Math.ceil(frame / FPS) * FPS;
      frame = Math.min(due, nextFlash);
    }
    const white = frame % FPS < FLASH_FRAMES;
    this.context.fillStyle = white ? WHITE : BLACK;
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.videoTrack.requestFrame();
    if (frame % FPS === 0) {
      this.flashLatenessMs.push(now - (frame / FPS) * 1000);
      if (this.flashLatenessMs.length > LATENESS_KEPT) this.flashLatenessMs.shift();
    }
    this._scheduleBeeps(now);
    this._nextFrame = frame + 1;
    this._timer = setTimeout(() => this._tick(), Math.max(0, (this._nextFrame * 1000) / FPS - performance.now()));
  }

  // currentTime is the audio clock's render position: the moment a sample scheduled at context
  // time t is rendered (and handed to the track) is now + (t - currentTime), to within one render
  // callback.
  _scheduleBeeps(nowMs) {
    while ((this._beepsUpTo + 1) * 1000 - nowMs < BEEP_AHEAD_MS) {
      this._beepsUpTo += 1;
      const at = this.audioContext.currentTime + ((this._beepsUpTo * 1000 - performance.now()) / 1000);
      if (at <= this.audioContext.currentTime) continue; // the clock is suspended or we are too late
      this.gain.gain.setValueAtTime(BEEP_PEAK, at);
      this.gain.gain.setValueAtTime(0, at + BEEP_S);
    }
  }
}
