// What the page asks of the studio's guest service, and the one place that holds the token:
// the link (/guest/<id>#<token>), GET /guest/<id>/config, POST /whip/<id>, DELETE of a session.

export class LinkRefused extends Error {} // 401/403: the token was changed or the guest removed

// The guest id from the path and the token from the fragment. The token is kept in
// sessionStorage (this tab only) so a reload still works, and taken out of the address bar.
export function readLink() {
  const match = location.pathname.match(/\/guest\/([^/]+)\/?$/);
  const guestId = match ? decodeURIComponent(match[1]) : null;
  const storageKey = `guest-token:${guestId}`;
  const fromHash = decodeURIComponent(location.hash.replace(/^#/, ""));
  if (fromHash) {
    try {
      sessionStorage.setItem(storageKey, fromHash);
    } catch {
      // storage may be disabled (private mode): a reload then needs the link again
    }
    history.replaceState(null, "", location.pathname + location.search);
  }
  let stored = null;
  try {
    stored = sessionStorage.getItem(storageKey);
  } catch {
    stored = null;
  }
  const token = fromHash || stored;
  return guestId && token ? new StudioApi(guestId, token) : null;
}

function refused(response) {
  return response.status === 401 || response.status === 403;
}

export class StudioApi {
  constructor(guestId, token) {
    this.guestId = guestId;
    this._token = token;
  }

  _headers(extra = {}) {
    return { ...extra, Authorization: `Bearer ${this._token}` };
  }

  async config() {
    const response = await fetch(`/guest/${encodeURIComponent(this.guestId)}/config`, {
      headers: this._headers(),
      cache: "no-store",
    });
    if (refused(response)) throw new LinkRefused();
    if (!response.ok) throw new Error(`config: HTTP ${response.status}`);
    return response.json();
  }

  // The offer (with every candidate: no trickle) -> {answer, sessionUrl (or null)}. A studio
  // that does not answer within limitMs counts as unreachable (the caller retries).
  async postOffer(sdp, limitMs) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limitMs);
    let response;
    try {
      response = await fetch(`/whip/${encodeURIComponent(this.guestId)}`, {
        method: "POST",
        headers: this._headers({ "Content-Type": "application/sdp" }),
        body: sdp,
        signal: abort.signal,
      });
    } finally {
      clearTimeout(timer);
    }
    if (refused(response)) throw new LinkRefused();
    if (response.status !== 201 && response.status !== 200) throw new Error(`WHIP: HTTP ${response.status}`);
    const location = response.headers.get("Location");
    return {
      answer: await response.text(),
      sessionUrl: location ? new URL(location, window.location.href).href : null,
    };
  }

  // Ends a session, waiting at most limitMs. Errors are swallowed: the studio may be gone, and
  // then the session ends there on its own.
  async endSession(sessionUrl, limitMs) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limitMs);
    try {
      await fetch(sessionUrl, { method: "DELETE", headers: this._headers(), signal: abort.signal });
    } catch {
      // see above
    } finally {
      clearTimeout(timer);
    }
  }

  // For pagehide: keepalive lets the request outlive the page.
  endSessionAsPageCloses(sessionUrl) {
    fetch(sessionUrl, { method: "DELETE", headers: this._headers(), keepalive: true }).catch(() => {});
  }
}
