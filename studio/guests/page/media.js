// The guest's camera and microphone: constraints from the studio's config, opening them with a
// fallback (a guest without a camera still joins with sound), and the device pickers.
// Problems are returned as keys of guest.js's string table, never as browser error text.

export function audioConstraints(config, deviceId) {
  const processing = config.audio_processing;
  return {
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    echoCancellation: processing,
    noiseSuppression: processing,
    autoGainControl: processing,
  };
}

// "ideal", not "exact": a camera that cannot do the studio's size still opens at its nearest.
export function videoConstraints(config, deviceId) {
  const { max_width, max_height, max_fps } = config;
  return {
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    width: { ideal: max_width },
    height: { ideal: max_height },
    frameRate: { ideal: max_fps, max: max_fps },
  };
}

const BLOCKED = new Set(["NotAllowedError", "SecurityError"]);

export function cameraProblem(error) {
  if (BLOCKED.has(error?.name)) return "cameraBlocked";
  if (error?.name === "NotReadableError" || error?.name === "AbortError") return "cameraBusy";
  return "cameraMissing";
}

export function micProblem(error) {
  return BLOCKED.has(error?.name) ? "micBlocked" : "micMissing";
}

// Both, else sound only, else picture only. {stream (or null), problems: [string keys]}.
export async function openMedia(config, cameraId = null, micId = null) {
  const devices = navigator.mediaDevices;
  let bothError;
  try {
    const stream = await devices.getUserMedia({ audio: audioConstraints(config, micId), video: videoConstraints(config, cameraId) });
    return { stream, problems: [] };
  } catch (error) {
    bothError = error;
  }
  let audioError;
  try {
    const stream = await devices.getUserMedia({ audio: audioConstraints(config, micId) });
    return { stream, problems: [cameraProblem(bothError)] };
  } catch (error) {
    audioError = error;
  }
  try {
    const stream = await devices.getUserMedia({ video: videoConstraints(config, cameraId) });
    return { stream, problems: [micProblem(audioError)] };
  } catch {
    return { stream: null, problems: ["noMedia"] };
  }
}

// One device of a kind ("audio" or "video"): {track} or {problem}.
export async function openDevice(config, kind, deviceId) {
  const constraints = kind === "video" ? { video: videoConstraints(config, deviceId) } : { audio: audioConstraints(config, deviceId) };
  try {
    return { track: (await navigator.mediaDevices.getUserMedia(constraints)).getTracks()[0] };
  } catch (error) {
    return { problem: kind === "video" ? cameraProblem(error) : micProblem(error) };
  }
}

export async function listDevices() {
  try {
    return await navigator.mediaDevices.enumerateDevices();
  } catch {
    return [];
  }
}

// Labels are empty until the page has permission: numbered names until then.
// `names` = {numbered(n), none, standard}: the page's words for "Camera 2", "No camera", "Default".
export function fillPicker(select, devices, currentId, names) {
  select.replaceChildren();
  devices.forEach((device, index) => {
    const option = document.createElement("option");
    option.value = device.deviceId;
    option.textContent = device.label || (device.deviceId === "default" ? names.standard : names.numbered(index + 1));
    option.selected = device.deviceId === currentId;
    select.append(option);
  });
  if (devices.length === 0) {
    const option = document.createElement("option");
    option.textContent = names.none;
    select.append(option);
  }
  select.disabled = devices.length <= 1;
}
