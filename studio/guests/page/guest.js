// The guest page: a guest opens <base>/guest/<guest-id>#<token>, gives the browser their camera
// and microphone, and joins the studio over WebRTC (WHIP, non-trickle). The studio's return
// (the guest's mix-minus, and program video if allowed) comes back on the same peer connection.
//
// The token is in the fragment so it never reaches a server log or a Referer; the page sends it
// as "Authorization: Bearer", keeps it in sessionStorage (a reload keeps working) and removes it
// from the address bar (a screenshot or a shared screen does not show it): studio_api.js.
//
// Test hooks, active only with ?test=1 in the URL:
//   ?test=1&timecode=1  the video sent is a canvas stream (canvas.captureStream(30)) that draws
//                       each camera frame and over it the time code of
//                       studio/engine/graphics/timecode.py (timecode.js): the wall-clock ms when
//                       the frame was drawn, performance.timeOrigin + performance.now().
//   ?test=1&sync=1      lip sync (sync_stream.js): the video sent is black but for a flash
//                       (three white frames) from each whole second of performance.now(), the
//                       sound sent (instead of the microphone) a 50 ms 1 kHz beep starting at the
//                       same moment.
//   window.guestTest    state()             the connection state ("waiting", "connecting",
//                                           "live", "lost", "reconnecting")
//                       returnLevels(freqsHz) {levels_dbfs: [...], rms_dbfs}: the level of each
//                                           frequency in the return audio right now (FFT of an
//                                           AnalyserNode; a sine of peak amplitude A reads
//                                           20*log10(A)), and the return's overall RMS in dBFS
//                       framesSent()        (a Promise) video frames sent on this session
//                       sessions()          sessions answered so far (joins, rejoins, reconnects)
//                       stateHistory()      every state so far, in order
//                       retryPending()      whether a retry is scheduled
//                       retryDelaysMs()     the pause before each retry so far
//                       drawTimecode(canvas, value)  draws a time code on any canvas (layout test)
//                       syncFlashLatenessMs()  sync mode: how late each flash's first frame was
//                                           drawn after its whole second (the page's own share of an offset)
//
// Modules: studio_api.js (the link and the service's HTTP surface), media.js (camera and
// microphone), levels.js (Web Audio levels), timecode.js and
// timecode_stream.js (the test mode's time code), sync_stream.js (the test mode's lip-sync pair). No build step: the browser loads them as
// they are, from /guest-assets/.

import { fillPicker, listDevices, openDevice, openMedia } from "./media.js";
import { LinkRefused, readLink } from "./studio_api.js";
import { TrackLevels } from "./levels.js";
import { drawTimecode } from "./timecode.js";
import { TimecodeStream } from "./timecode_stream.js";
import { SyncStream } from "./sync_stream.js";

const STRINGS = {
  en: {
    pageTitle: "Join the live",
    joiningAs: "You join as {name}",
    state_waiting: "Waiting",
    state_connecting: "Connecting…",
    state_live: "Live",
    state_lost: "Connection lost",
    state_reconnecting: "Reconnecting…",
    selfHeading: "You",
    programHeading: "The live",
    studioSound: "You hear the studio here.",
    playReturn: "Tap to hear the studio",
    camera: "Camera",
    microphone: "Microphone",
    micLevel: "Mic level",
    cameraOff: "Camera off",
    muteCamera: "Turn camera off",
    unmuteCamera: "Turn camera on",
    muteMic: "Mute microphone",
    unmuteMic: "Unmute microphone",
    rejoin: "Rejoin",
    leave: "Leave",
    defaultDevice: "Default",
    cameraNumber: "Camera {n}",
    micNumber: "Microphone {n}",
    noCamera: "No camera",
    noMic: "No microphone",
    linkInvalid: "This link is no longer valid. Ask the host for a new link.",
    linkIncomplete: "This link is incomplete. Open the whole link the host sent you.",
    cameraBlocked: "The camera is blocked, so you join with sound only. Allow the camera in the browser's site settings, then press Rejoin.",
    cameraMissing: "No camera found: you join with sound only.",
    cameraBusy: "The camera is in use by another program: you join with sound only.",
    micBlocked: "The microphone is blocked, so the studio cannot hear you. Allow it in the browser's site settings, then press Rejoin.",
    micMissing: "No microphone found: the studio cannot hear you.",
    noMedia: "The browser gave no camera and no microphone. Allow them in the site settings, then press Rejoin.",
    unreachable: "Cannot reach the studio. Trying again in {seconds} s.",
    connectionLost: "The connection dropped. Reconnecting by itself…",
    left: "You left the live. Press Rejoin to come back.",
    noWebrtc: "This browser cannot make video calls. Use a recent Chrome, Edge, Firefox or Safari.",
    insecure: "Open this page over https (or on this computer) to use the camera and microphone.",
  },
  zh: {
    pageTitle: "加入直播",
    joiningAs: "你将以“{name}”的身份加入",
    state_waiting: "等待中",
    state_connecting: "正在连接…",
    state_live: "直播中",
    state_lost: "连接已断开",
    state_reconnecting: "正在重新连接…",
    selfHeading: "你",
    programHeading: "直播画面",
    studioSound: "直播间的声音在这里播放。",
    playReturn: "点击收听直播间声音",
    camera: "摄像头",
    microphone: "麦克风",
    micLevel: "麦克风音量",
    cameraOff: "摄像头已关闭",
    muteCamera: "关闭摄像头",
    unmuteCamera: "打开摄像头",
    muteMic: "麦克风静音",
    unmuteMic: "取消静音",
    rejoin: "重新加入",
    leave: "离开",
    defaultDevice: "默认",
    cameraNumber: "摄像头 {n}",
    micNumber: "麦克风 {n}",
    noCamera: "没有摄像头",
    noMic: "没有麦克风",
    linkInvalid: "此链接已失效，请向主播索取新的链接。",
    linkIncomplete: "链接不完整，请打开主播发给你的完整链接。",
    cameraBlocked: "摄像头权限被拒绝，你将仅以声音加入。请在浏览器的网站设置中允许使用摄像头，然后点击“重新加入”。",
    cameraMissing: "未找到摄像头：你将仅以声音加入。",
    cameraBusy: "摄像头正被其他程序占用：你将仅以声音加入。",
    micBlocked: "麦克风权限被拒绝，直播间听不到你。请在浏览器的网站设置中允许使用麦克风，然后点击“重新加入”。",
    micMissing: "未找到麦克风：直播间听不到你。",
    noMedia: "浏览器没有提供摄像头和麦克风。请在网站设置中允许使用，然后点击“重新加入”。",
    unreachable: "无法连接直播间，{seconds} 秒后重试。",
    connectionLost: "连接中断，正在自动重新连接…",
    left: "你已离开直播。点击“重新加入”即可回来。",
    noWebrtc: "此浏览器不支持视频通话，请使用最新版的 Chrome、Edge、Firefox 或 Safari。",
    insecure: "请通过 https（或在本机）打开此页面，才能使用摄像头和麦克风。",
  },
};

const LANGUAGE = (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";

function text(key, values = {}) {
  const template = STRINGS[LANGUAGE][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// -- timings -------------------------------------------------------------------------------------

const ICE_GATHERING_LIMIT_MS = 2000; // non-trickle: wait for candidates, but never for long
const LOST_GRACE_MS = 3000; // disconnected/failed this long before a fresh session is tried
const CONNECT_LIMIT_MS = 15000; // an answered session that never connects is retried too
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 10000;
const LEAVE_LIMIT_MS = 2000;
const ANSWER_LIMIT_MS = 30000; // the service may gather candidates from STUN/TURN servers first
const METER_FLOOR_DB = -60;

// -- what the page knows -------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const TEST_MODE = params.get("test") === "1";
const TIMECODE_MODE = TEST_MODE && params.get("timecode") === "1";
const SYNC_MODE = TEST_MODE && params.get("sync") === "1";

const $ = (id) => document.getElementById(id);
const ui = {
  state: $("state"),
  joiningAs: $("joining-as"),
  selfView: $("self-view"),
  cameraOff: $("camera-off"),
  micLevel: $("mic-level"),
  micMeter: $("mic-meter"),
  programFrame: $("program-frame"),
  programVideo: $("program-video"),
  programAudio: $("program-audio"),
  playReturn: $("play-return"),
  cameraSelect: $("camera-select"),
  micSelect: $("mic-select"),
  muteCamera: $("mute-camera"),
  muteMic: $("mute-mic"),
  rejoin: $("rejoin"),
  leave: $("leave"),
  notice: $("notice"),
  message: $("message"),
};

const guest = {
  api: null, // StudioApi: the link's guest id and token
  config: null,
  state: "waiting",
  stateHistory: ["waiting"], // for the test hooks
  retryDelaysMs: [], // for the test hooks
  stream: null, // camera + microphone as the browser gave them
  cameraMuted: false,
  micMuted: false,
  pc: null,
  sessionUrl: null,
  sessions: 0,
  backoffAttempt: 0,
  retryTimer: null,
  lostTimer: null,
  connectTimer: null,
  joinGeneration: 0, // a newer join makes an older one's late callbacks no-ops
  audioContext: null,
  micLevels: null,
  returnLevels: null,
  timecodeStream: null, // test mode
  syncStream: null, // test mode
};

// -- small UI helpers ----------------------------------------------------------------------------

function applyStrings() {
  document.documentElement.lang = LANGUAGE === "zh" ? "zh-CN" : "en";
  document.title = text("pageTitle");
  for (const element of document.querySelectorAll("[data-text]")) {
    element.textContent = text(element.dataset.text);
  }
  updateMuteButtons();
  setState(guest.state);
}

function setState(state) {
  if (state !== guest.state) guest.stateHistory.push(state);
  guest.state = state;
  ui.state.dataset.state = state;
  ui.state.textContent = text(`state_${state}`);
  ui.leave.disabled = state === "waiting";
  ui.rejoin.classList.toggle("accent", state !== "live"); // the way back in stands out when needed
}

function showMessage(key, values) {
  ui.message.hidden = !key;
  ui.message.textContent = key ? text(key, values) : "";
}

function showNotice(keys) {
  ui.notice.hidden = keys.length === 0;
  ui.notice.textContent = keys.map((key) => text(key)).join(" ");
}

function updateMuteButtons() {
  ui.muteCamera.textContent = text(guest.cameraMuted ? "unmuteCamera" : "muteCamera");
  ui.muteCamera.setAttribute("aria-pressed", String(guest.cameraMuted));
  ui.muteMic.textContent = text(guest.micMuted ? "unmuteMic" : "muteMic");
  ui.muteMic.setAttribute("aria-pressed", String(guest.micMuted));
  ui.cameraOff.hidden = !guest.cameraMuted;
}

// -- link and config -----------------------------------------------------------------------------

async function loadConfig() {
  const config = await guest.api.config();
  guest.config = {
    name: String(config.name ?? ""),
    show_program_video: Boolean(config.show_program_video),
    audio_processing: config.audio_processing !== false,
    ice_servers: Array.isArray(config.ice_servers) ? config.ice_servers : [],
    max_width: Number(config.max_width) || 1280,
    max_height: Number(config.max_height) || 720,
    max_fps: Number(config.max_fps) || 30,
    max_video_bitrate_kbps: Number(config.max_video_bitrate_kbps) || null, // optional
  };
  ui.joiningAs.textContent = guest.config.name ? text("joiningAs", { name: guest.config.name }) : "";
  ui.programFrame.hidden = !guest.config.show_program_video;
}

// -- camera and microphone -----------------------------------------------------------------------

const cameraTrack = () => guest.stream?.getVideoTracks()[0] ?? null;
const micTrack = () => guest.stream?.getAudioTracks()[0] ?? null;

// What the studio receives as video: the camera, or in time-code mode the canvas over it, or
// in sync mode the flashes.
function videoTrackToSend() {
  if (SYNC_MODE) return guest.syncStream.videoTrack;
  return TIMECODE_MODE ? guest.timecodeStream.track : cameraTrack();
}

// What the studio receives as sound: the microphone, or in sync mode the beeps.
function audioTrackToSend() {
  return SYNC_MODE ? guest.syncStream.audioTrack : micTrack();
}

function showCamera() {
  if (SYNC_MODE) {
    guest.syncStream ??= new SyncStream(guest.config.max_width, guest.config.max_height);
    ui.selfView.srcObject = new MediaStream([guest.syncStream.videoTrack]);
  } else if (TIMECODE_MODE) {
    guest.timecodeStream ??= new TimecodeStream(guest.config.max_width, guest.config.max_height);
    guest.timecodeStream.show(cameraTrack());
    ui.selfView.srcObject = new MediaStream([guest.timecodeStream.track]);
  } else {
    ui.selfView.srcObject = cameraTrack() ? new MediaStream([cameraTrack()]) : null;
  }
  ui.selfView.classList.toggle("mirrored", !TIMECODE_MODE && !SYNC_MODE); // a time code must read as sent
}

async function acquireMedia() {
  const { stream, problems } = await openMedia(guest.config);
  guest.stream = stream;
  showNotice(problems);
  applyMutes();
  showCamera();
  guest.micLevels ??= new TrackLevels(audioContext(), 2048);
  guest.micLevels.follow(micTrack());
  await refreshDevicePickers();
}

async function refreshDevicePickers() {
  const devices = await listDevices();
  const kinds = [
    [ui.cameraSelect, "videoinput", cameraTrack(), { numbered: (n) => text("cameraNumber", { n }), none: text("noCamera") }],
    [ui.micSelect, "audioinput", micTrack(), { numbered: (n) => text("micNumber", { n }), none: text("noMic") }],
  ];
  for (const [select, kind, track, names] of kinds) {
    const current = track?.getSettings().deviceId;
    fillPicker(select, devices.filter((device) => device.kind === kind), current, { ...names, standard: text("defaultDevice") });
  }
}

// Another device: a new track on the same transceiver (replaceTrack needs no new offer).
async function switchDevice(kind, deviceId) {
  const { track, problem } = await openDevice(guest.config, kind, deviceId);
  if (problem) {
    showNotice([problem]);
    return;
  }
  const stream = guest.stream ?? new MediaStream();
  for (const old of kind === "video" ? stream.getVideoTracks() : stream.getAudioTracks()) {
    old.stop();
    stream.removeTrack(old);
  }
  stream.addTrack(track);
  guest.stream = stream;
  applyMutes();
  if (kind === "video") showCamera();
  else guest.micLevels?.follow(track);
  const transceiver = guest.pc?.getTransceivers().find((t) => t.receiver.track.kind === kind);
  if (transceiver) await transceiver.sender.replaceTrack(kind === "video" ? videoTrackToSend() : audioTrackToSend());
  showNotice([]);
  await refreshDevicePickers();
}

function applyMutes() {
  const camera = cameraTrack();
  if (camera) camera.enabled = !guest.cameraMuted;
  const mic = micTrack();
  if (mic) mic.enabled = !guest.micMuted;
  updateMuteButtons();
}

// -- sound: the meter and the return -------------------------------------------------------------

function audioContext() {
  guest.audioContext ??= new AudioContext();
  if (guest.audioContext.state === "suspended") guest.audioContext.resume().catch(() => {});
  return guest.audioContext;
}

function drawMicMeter() {
  const level = guest.micLevels && !guest.micMuted ? guest.micLevels.rmsDbfs() : -Infinity;
  const share = Math.max(0, Math.min(1, (level - METER_FLOOR_DB) / -METER_FLOOR_DB));
  ui.micLevel.style.width = `${(share * 100).toFixed(1)}%`;
  ui.micMeter.setAttribute("aria-valuenow", String(Math.round(Math.max(level, METER_FLOOR_DB))));
  requestAnimationFrame(drawMicMeter);
}

function onReturnTrack(track) {
  if (track.kind === "audio") {
    ui.programAudio.srcObject = new MediaStream([track]);
    // Chromium feeds a remote track to Web Audio only while a media element plays it too.
    guest.returnLevels ??= new TrackLevels(audioContext(), 8192, { smoothing: 0 });
    guest.returnLevels.follow(track);
    ui.programAudio.play().then(
      () => (ui.playReturn.hidden = true),
      () => (ui.playReturn.hidden = false), // autoplay refused: the guest taps once
    );
  } else if (track.kind === "video" && guest.config.show_program_video) {
    ui.programVideo.srcObject = new MediaStream([track]);
  }
}

function returnLevels(frequenciesHz) {
  const levels = guest.returnLevels;
  const finite = (value) => (Number.isFinite(value) ? value : null);
  if (!levels) return { levels_dbfs: frequenciesHz.map(() => null), rms_dbfs: null };
  return { levels_dbfs: levels.sineLevelsDbfs(frequenciesHz).map(finite), rms_dbfs: finite(levels.rmsDbfs()) };
}

// -- joining (WHIP) ------------------------------------------------------------------------------

function iceGatheringDone(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", onChange);
      resolve();
    };
    const onChange = () => pc.iceGatheringState === "complete" && finish();
    const timer = setTimeout(finish, ICE_GATHERING_LIMIT_MS);
    pc.addEventListener("icegatheringstatechange", onChange);
  });
}

function clearTimers() {
  for (const name of ["retryTimer", "lostTimer", "connectTimer"]) {
    clearTimeout(guest[name]);
    guest[name] = null;
  }
}

function closePeer() {
  if (guest.pc) {
    guest.pc.close();
    guest.pc = null;
  }
}

function buildPeer() {
  const pc = new RTCPeerConnection({ iceServers: guest.config.ice_servers });
  const sendStream = new MediaStream();
  const mic = audioTrackToSend();
  const video = videoTrackToSend();
  for (const track of [mic, video]) if (track) sendStream.addTrack(track);
  // Both kinds always, sendrecv: our media out, the return in; a missing device is a
  // transceiver without a track (it sends nothing, still receives).
  pc.addTransceiver(mic ?? "audio", { direction: "sendrecv", streams: [sendStream] });
  const videoInit = { direction: "sendrecv", streams: [sendStream] };
  if (guest.config.max_video_bitrate_kbps) {
    videoInit.sendEncodings = [{ maxBitrate: guest.config.max_video_bitrate_kbps * 1000 }];
  }
  pc.addTransceiver(video ?? "video", videoInit);
  pc.addEventListener("track", (event) => onReturnTrack(event.track));
  pc.addEventListener("connectionstatechange", () => onConnectionState(pc));
  return pc;
}

async function join() {
  clearTimers();
  closePeer();
  const generation = ++guest.joinGeneration;
  const stale = () => generation !== guest.joinGeneration;
  setState(guest.state === "reconnecting" ? "reconnecting" : "connecting");
  try {
    if (!guest.config) await loadConfig();
    if (stale()) return;
    if (!guest.stream) await acquireMedia();
    if (stale()) return;
    if (!micTrack() && !cameraTrack() && !TIMECODE_MODE && !SYNC_MODE) {
      setState("waiting");
      return;
    }
    const pc = buildPeer();
    guest.pc = pc;
    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringDone(pc);
    if (stale()) return;
    const { answer, sessionUrl } = await guest.api.postOffer(pc.localDescription.sdp, ANSWER_LIMIT_MS);
    if (stale()) return;
    guest.sessionUrl = sessionUrl;
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    guest.sessions += 1;
    showMessage(null);
    guest.connectTimer = setTimeout(() => {
      if (!stale() && pc.connectionState !== "connected") retryLater("connectionLost");
    }, CONNECT_LIMIT_MS);
  } catch (error) {
    if (stale()) return;
    if (error instanceof LinkRefused) {
      refuseLink();
      return;
    }
    retryLater("unreachable");
  }
}

// 401: the token was changed or the guest removed. Retrying cannot help; the guest must ask.
function refuseLink() {
  clearTimers();
  closePeer();
  setState("lost");
  showMessage("linkInvalid");
}

function nextBackoffMs() {
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** guest.backoffAttempt);
  guest.backoffAttempt += 1;
  return delay;
}

// The one retry policy: a fresh peer connection and offer after a growing pause (aiortc has
// no ICE restart, and a new session takes the same slot at the studio).
function retryLater(messageKey) {
  clearTimers();
  closePeer();
  const delayMs = nextBackoffMs();
  guest.retryDelaysMs.push(delayMs);
  setState("reconnecting");
  showMessage(messageKey, { seconds: Math.round(delayMs / 1000) });
  guest.retryTimer = setTimeout(() => {
    guest.retryTimer = null;
    join();
  }, delayMs);
}

function onConnectionState(pc) {
  if (pc !== guest.pc) return;
  const state = pc.connectionState;
  if (state === "connected") {
    clearTimers();
    guest.backoffAttempt = 0;
    setState("live");
    showMessage(null);
  } else if ((state === "disconnected" || state === "failed") && !guest.lostTimer) {
    setState("lost");
    showMessage("connectionLost");
    guest.lostTimer = setTimeout(() => {
      guest.lostTimer = null;
      if (pc === guest.pc && pc.connectionState !== "connected") retryLater("connectionLost");
    }, LOST_GRACE_MS);
  }
}

// Ends the session at the studio: awaited (bounded) before a rejoin, so the studio sees the
// old session end before the new one starts.
async function leaveSession() {
  const url = guest.sessionUrl;
  guest.sessionUrl = null;
  guest.joinGeneration += 1;
  clearTimers();
  closePeer();
  if (url) await guest.api.endSession(url, LEAVE_LIMIT_MS);
}

async function leave() {
  await leaveSession();
  setState("waiting");
  showMessage("left");
}

async function rejoin() {
  await leaveSession();
  guest.backoffAttempt = 0;
  if (!guest.stream || guest.stream.getTracks().every((track) => track.readyState === "ended")) guest.stream = null;
  showMessage(null);
  join();
}

// -- start ---------------------------------------------------------------------------------------

function wireControls() {
  ui.muteCamera.addEventListener("click", () => {
    guest.cameraMuted = !guest.cameraMuted;
    applyMutes();
  });
  ui.muteMic.addEventListener("click", () => {
    guest.micMuted = !guest.micMuted;
    applyMutes();
  });
  ui.rejoin.addEventListener("click", rejoin);
  ui.leave.addEventListener("click", leave);
  ui.cameraSelect.addEventListener("change", () => switchDevice("video", ui.cameraSelect.value));
  ui.micSelect.addEventListener("change", () => switchDevice("audio", ui.micSelect.value));
  ui.playReturn.addEventListener("click", () => {
    audioContext();
    ui.programAudio.play().then(() => (ui.playReturn.hidden = true), () => {});
  });
  // A page closed or navigated away: end the session at the studio.
  window.addEventListener("pagehide", () => {
    if (guest.sessionUrl) guest.api.endSessionAsPageCloses(guest.sessionUrl);
    guest.sessionUrl = null;
  });
  navigator.mediaDevices?.addEventListener?.("devicechange", refreshDevicePickers);
  // Browsers start Web Audio suspended until the page is touched: the meter wakes on the first tap.
  document.addEventListener("pointerdown", () => audioContext(), { once: true });
}

function installTestHooks() {
  window.guestTest = {
    state: () => guest.state,
    stateHistory: () => [...guest.stateHistory],
    returnLevels,
    framesSent: async () => {
      if (!guest.pc) return 0;
      let frames = 0;
      (await guest.pc.getStats()).forEach((report) => {
        if (report.type === "outbound-rtp" && report.kind === "video") frames += report.framesSent ?? 0;
      });
      return frames;
    },
    sessions: () => guest.sessions,
    retryPending: () => guest.retryTimer !== null || guest.lostTimer !== null,
    retryDelaysMs: () => [...guest.retryDelaysMs],
    drawTimecode: (canvas, value) => drawTimecode(canvas.getContext("2d"), canvas.width, canvas.height, value),
    syncFlashLatenessMs: () => [...(guest.syncStream?.flashLatenessMs ?? [])],
  };
}

function start() {
  applyStrings();
  if (TEST_MODE) installTestHooks();
  wireControls();
  guest.api = readLink();
  if (!guest.api) {
    showMessage("linkIncomplete");
    ui.rejoin.disabled = true;
    return;
  }
  if (!window.RTCPeerConnection) {
    showMessage("noWebrtc");
    return;
  }
  if (!navigator.mediaDevices) {
    showMessage("insecure");
    return;
  }
  requestAnimationFrame(drawMicMeter);
  join();
}

start();
