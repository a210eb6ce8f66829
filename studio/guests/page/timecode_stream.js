// Test mode's video: a canvas that shows each camera frame with the time code over it (the
// wall-clock ms when drawn), sent instead of the camera. See timecode.js for the code itself.

import { drawTimecode } from "./timecode.js";

const FPS = 30;
const NO_CAMERA_GREY = "#404040";

export class TimecodeStream {
  // `width` x `height`: the canvas size until the camera says its own.
  constructor(width, height) {
    this.video = document.createElement("video"); // the camera, off screen
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.autoplay = true;
    this.canvas = document.createElement("canvas");
    this.canvas.width = width;
    this.canvas.height = height;
    this.context = this.canvas.getContext("2d", { alpha: false });
    this.track = this.canvas.captureStream(FPS).getVideoTracks()[0];
    this._epoch = 0;
    this._loop(this._epoch);
  }

  // The camera track to draw (null: grey, still time-coded). A new drawing loop starts: the
  // old one may wait for a frame from a camera that will send no more.
  show(cameraTrack) {
    this.video.srcObject = cameraTrack ? new MediaStream([cameraTrack]) : null;
    this._epoch += 1;
    this._loop(this._epoch);
  }

  _draw() {
    const video = this.video;
    const live = Boolean(video.srcObject && video.videoWidth);
    const width = live ? video.videoWidth : this.canvas.width;
    const height = live ? video.videoHeight : this.canvas.height;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    if (live) {
      this.context.drawImage(video, 0, 0, width, height);
    } else {
      this.context.fillStyle = NO_CAMERA_GREY;
      this.context.fillRect(0, 0, width, height);
    }
    drawTimecode(this.context, width, height, Math.round(performance.timeOrigin + performance.now()));
  }

  // Once per camera frame where the browser says when one arrives (the code then dates that
  // frame), else once per display frame.
  _loop(epoch) {
    if (epoch !== this._epoch) return;
    this._draw();
    if (this.video.videoWidth && "requestVideoFrameCallback" in this.video) {
      this.video.requestVideoFrameCallback(() => this._loop(epoch));
    } else {
      requestAnimationFrame(() => this._loop(epoch));
    }
  }
}
