// The seminar highlighter: verbatim text, stacked highlights, selection in code points.
//
// Streamlit calls the default export again on every data change with the same
// parentElement, and keeps only the last cleanup. So all state lives on the
// parentElement, listeners are attached once, and a new payload is applied only
// when its render key changed -- and never while the reader is selecting.
// User text reaches the page only through textContent / createTextNode.

const STATE = "__seminarHighlighter";

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let st = parentElement[STATE];
  if (!st) {
    st = createState(parentElement);
    parentElement[STATE] = st;
  }
  st.trigger = setTriggerValue;
  st.offer(data || {});
  if (!st.live) st.live = createLive(parentElement.querySelector(".hl-root"), st);
  st.live.offer((data || {}).live, setTriggerValue);
  return () => {
    // Only a real unmount tears down; a superseded call must not.
    setTimeout(() => {
      if (!parentElement.isConnected && parentElement[STATE] === st) {
        st.destroy();
        st.live.destroy();
        delete parentElement[STATE];
      }
    }, 0);
  };
}

// ---------------------------------------------------------------- helpers

function cpLength(str) {
  let n = 0;
  for (const _ of str) n += 1;
  return n;
}

function uuid4() {
  // crypto.randomUUID needs a secure context; getRandomValues works over plain http too.
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function isColour(c) {
  return typeof c === "string" && /^#[0-9a-fA-F]{6}$/.test(c);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// The last selection sent and how it was made (keyboard, button, mouse), kept
// beside the component: Streamlit may mount a new component before the answer.
const LAST_SENT = { id: null, via: null };
const SKIP_TARGET = "hl-text-main"; // the workspace text's id, the skip link's target
const FOCUS_MEMORY = "__hlFocus"; // window property: focus was in the text (see a11yRemember)
const TAKE_OVER = "hl-take-over-focus"; // document event: a highlighter was dropped
const PICKER_QUOTE = 80; // code points of a highlight's words shown in the overlap picker
const ALPHA = ["33", "4d", "66", "80"];

// ---------------------------------------------------------------- live
//
// The page follows its seminar's revision over Server-Sent Events. When a
// revision newer than the one it drew arrives, it fetches that revision's
// highlights from the live route (the same drawing the page is built from,
// only what changed when the server still has the page's own) and redraws them
// in place, with no Streamlit rerun. It asks Streamlit for a rerun (the "live"
// trigger) only when the change touches what the side panel lists (its first
// entries, the annotation opened there), when the page filters its list or the
// text itself changed (no in-place drawing then), and, at most every lazy_s,
// for what else may have moved (counts, the sidebar). An idle page costs the
// server nothing. The stream also sends the current revision as a heartbeat;
// when it fails or falls silent, the page polls the same number slowly until it
// comes back. Nothing disturbs a selection: offer() holds new payloads and
// drawings alike. Nor does a rerun cut short a run the reader started (a click
// on a button, a pick): asking then would stop that run half-drawn (its toast
// lost), so a rerun waits for that run's payload, or LIVE_HOLD_MS at most.

// At most one live rerun per LIVE_GAP_MS: when a whole class saves at once,
// each page folds the news of that second into one rerun.
const LIVE_POLL_MS = 10000;
const LIVE_REASK_MS = 5000;
const LIVE_GAP_MS = 1000;
const LIVE_HOLD_MS = 2000;
const LIVE_ACTIONS = "button, input, select, textarea, label, [role='option'], [role='tab'], .hl-root";

// The render key of a drawing fetched in place: the same as the payload's
// (highlighter/__init__.py, render_key), so the next rerun does not redraw it.
// The index of the last segment (in document order) starting at or before code point cp.
function segIndexAt(segs, cp) {
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (Number(segs[mid].dataset.s) <= cp) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function liveKey(document, sha256, digest, pending, colourBy) {
  const span = pending ? `${pending.s}-${pending.e}` : "";
  return `${document}:${String(sha256).slice(0, 12)}:${String(digest).slice(0, 16)}:${span}:${colourBy}`;
}

function sameItems(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((x, i) => Array.isArray(x) && Array.isArray(b[i]) && x[0] === b[i][0] && x[1] === b[i][1]);
}

function createLive(root, hl) {
  const lv = {
    cfg: null, // {stream, poll, token, revision, heartbeat_s; highlights, document, ...}
    trigger: null,
    source: null,
    shown: -1, // revision of the newest payload received or drawing fetched
    heard: -1, // newest revision the stream or the poll told of
    holdUntil: 0, // a run the reader started is on its way until then
    owed: 0, // a rerun asked for during a hold: release() asks for it if no run drew it
    drawnByRun: -1, // the revision the last Streamlit run drew (panel included)
    holdTimer: null,
    gapTimer: null,
    lazyTimer: null,
    asked: -1,
    askedAt: 0,
    lastHeard: 0,
    pollTimer: null,
    watchTimer: null,
    refusedToken: null,
    fetching: false,
    refetch: false,
  };

  function withToken(path) {
    return `${path}?t=${encodeURIComponent(lv.cfg.token)}`;
  }

  function inPlace() {
    return !!(lv.cfg && typeof lv.cfg.highlights === "string" && lv.cfg.panel);
  }

  function stale(rev) {
    if (!Number.isInteger(rev)) return;
    lv.heard = Math.max(lv.heard, rev);
    if (rev <= lv.shown || !lv.trigger) return;
    if (inPlace()) fetchDrawing();
    else rerun(rev);
  }

  // Ask Streamlit for a rerun that draws `rev` (and the panel with it).
  function rerun(rev) {
    if (Date.now() < lv.holdUntil) {
      lv.owed = Math.max(lv.owed, rev); // release() asks again
      return;
    }
    if (rev <= lv.asked && Date.now() - lv.askedAt < LIVE_REASK_MS) return;
    const wait = lv.askedAt + LIVE_GAP_MS - Date.now();
    if (wait > 0) {
      if (lv.gapTimer === null) {
        lv.gapTimer = setTimeout(() => {
          lv.gapTimer = null;
          rerun(Math.max(lv.heard, lv.shown));
        }, wait);
      }
      return;
    }
    lv.asked = rev;
    lv.askedAt = Date.now();
    root.dataset.liveAsked = String(rev);
    const page = document.documentElement.dataset; // outlives a remount (tests read it)
    page.liveReruns = String(Number(page.liveReruns || 0) + 1);
    lv.trigger("live", { revision: rev, at: lv.askedAt });
  }

  function later() {
    if (lv.lazyTimer !== null) return;
    root.dataset.liveLater = "1";
    lv.lazyTimer = setTimeout(() => {
      lv.lazyTimer = null;
      root.dataset.liveLater = "";
      rerun(lv.shown);
    }, 1000 * Number(lv.cfg.lazy_s || 30));
  }

  function fetchDrawing() {
    if (lv.fetching) {
      lv.refetch = true;
      return;
    }
    const c = lv.cfg;
    const base = hl.latest();
    const have = base && base.live ? Number(base.live.revision) : -1;
    const q = new URLSearchParams({
      document: c.document, colour_by: c.colour_by, limit: String(c.limit || 0),
      selected: c.selected || "", have: String(have), seen_as: c.seen_as || "",
    });
    lv.fetching = true;
    fetch(`${withToken(c.highlights)}&${q}`, { cache: "no-store", credentials: "same-origin" })
      .then((r) => {
        if (r.status === 403) refused();
        return r.ok ? r.json() : null;
      })
      .then((d) => (d ? drawn(d, c) : rerun(lv.heard)))
      .catch(() => rerun(lv.heard))
      .finally(() => {
        lv.fetching = false;
        if (lv.refetch) {
          lv.refetch = false;
          if (lv.heard > lv.shown) fetchDrawing();
        }
      });
  }

  // A drawing fetched for revision d.revision: redraw it in place, then decide
  // whether the rest of the page needs a rerun now, later, or not at all.
  function drawn(d, c) {
    const rev = Number(d.revision);
    if (!Number.isInteger(rev) || rev <= lv.shown || c !== lv.cfg) return;
    if (d.document !== c.document || d.sha256 !== c.sha256 || !hl.drawLive(d, c)) {
      rerun(rev); // another text, or a version of it: the page draws it
      return;
    }
    lv.shown = rev;
    root.dataset.liveShown = String(rev);
    root.dataset.liveInPlace = String(rev);
    const p = c.panel;
    const now = d.panel || {};
    if (!sameItems(now.head, p.head) ||
        (c.selected && !sameItems([now.opened].filter(Boolean), [p.opened].filter(Boolean)))) {
      rerun(rev);
    } else {
      later();
    }
  }

  function heard(ev) {
    lv.lastHeard = Date.now();
    stale(Number(ev.data));
  }

  function refused() {
    // A stale token (or a reader no more): one rerun fetches a new one, if there is one.
    if (lv.refusedToken === lv.cfg.token || !lv.trigger) return;
    lv.refusedToken = lv.cfg.token;
    lv.trigger("live", { revision: null, at: Date.now() });
  }

  function pollOnce() {
    if (!lv.cfg) return;
    fetch(withToken(lv.cfg.poll), { cache: "no-store", credentials: "same-origin" })
      .then((r) => {
        if (r.status === 403) refused();
        return r.ok ? r.json() : null;
      })
      .then((j) => j && stale(Number(j.revision)))
      .catch(() => {});
  }

  function startPoll() {
    root.dataset.live = "poll";
    if (lv.pollTimer === null) lv.pollTimer = setInterval(pollOnce, LIVE_POLL_MS);
  }

  function stopPoll() {
    if (lv.pollTimer !== null) clearInterval(lv.pollTimer);
    lv.pollTimer = null;
  }

  // The hold ends: the reader's run drew (or never came, as after a Quick-code save,
  // which needs no run). A rerun asked for meanwhile and not drawn by a run is asked now.
  function release() {
    lv.holdUntil = 0;
    if (lv.holdTimer !== null) clearTimeout(lv.holdTimer);
    lv.holdTimer = null;
    const owed = lv.owed;
    lv.owed = 0;
    if (owed > lv.drawnByRun) rerun(owed);
    stale(lv.heard);
  }

  const onAction = (ev) => {
    if (!(ev.target.closest && ev.target.closest(LIVE_ACTIONS))) return;
    lv.holdUntil = Date.now() + LIVE_HOLD_MS;
    if (lv.holdTimer !== null) clearTimeout(lv.holdTimer);
    lv.holdTimer = setTimeout(release, LIVE_HOLD_MS);
  };
  document.addEventListener("click", onAction, true);
  document.addEventListener("change", onAction, true);

  function close() {
    if (lv.source) lv.source.close();
    lv.source = null;
  }

  function open() {
    close();
    const es = new EventSource(withToken(lv.cfg.stream));
    lv.source = es;
    lv.lastHeard = Date.now();
    es.addEventListener("open", () => {
      lv.lastHeard = Date.now();
      root.dataset.live = "stream";
      stopPoll();
    });
    es.addEventListener("revision", heard);
    es.addEventListener("heartbeat", heard);
    es.addEventListener("error", () => {
      startPoll();
      if (es.readyState === EventSource.CLOSED) {
        // Refused or gone for good: the browser will not retry; the watchdog will.
        pollOnce();
      }
    });
  }

  // A stream that is closed, or silent for three heartbeats, is reopened (with
  // the newest token) while the poll carries on.
  function watch() {
    if (!lv.cfg) return;
    const silentMs = 3000 * Number(lv.cfg.heartbeat_s || 15);
    const closed = !lv.source || lv.source.readyState === EventSource.CLOSED;
    if (closed || Date.now() - lv.lastHeard > silentMs) {
      startPoll();
      open();
    }
  }

  return {
    // Told by the page itself (its own save's answer): fetch that revision without
    // waiting for the stream to say so.
    news(rev) {
      stale(rev);
    },
    offer(cfg, trigger) {
      if (!cfg || typeof cfg.stream !== "string" || typeof cfg.token !== "string") return;
      lv.trigger = trigger;
      const rev = Number(cfg.revision);
      if (Number.isInteger(rev)) lv.shown = lv.drawnByRun = rev;
      root.dataset.liveShown = String(lv.shown);
      const moved = !lv.cfg || lv.cfg.stream !== cfg.stream;
      lv.cfg = cfg;
      if (lv.lazyTimer !== null) clearTimeout(lv.lazyTimer); // this run drew the rest
      lv.lazyTimer = null;
      root.dataset.liveLater = "";
      if (moved) open();
      if (lv.watchTimer === null) lv.watchTimer = setInterval(watch, LIVE_POLL_MS);
      if (lv.holdUntil) setTimeout(release, 0); // the run the reader started has drawn
      else if (lv.heard > lv.shown) setTimeout(() => stale(lv.heard), 0); // news meanwhile
    },
    destroy() {
      close();
      stopPoll();
      document.removeEventListener("click", onAction, true);
      document.removeEventListener("change", onAction, true);
      if (lv.holdTimer !== null) clearTimeout(lv.holdTimer);
      if (lv.gapTimer !== null) clearTimeout(lv.gapTimer);
      if (lv.lazyTimer !== null) clearTimeout(lv.lazyTimer);
      if (lv.watchTimer !== null) clearInterval(lv.watchTimer);
      lv.watchTimer = null;
    },
  };
}

// ---------------------------------------------------------------- optimistic
//
// Your own new highlight is drawn the moment you save (a Quick-code selection,
// or the composer's Save button), before the server answers: an overlay on the
// text through the CSS Custom Highlight API, so no redraw of the document is
// needed. The next drawing settles it: the saved highlight replaces it, or, if
// the server refused the save (the save route's answer, or payload.rejected for
// the composer), it is taken away again.

const OPTIMISTIC = "hl-optimistic";
const OPTIMISTIC_MS = 10000;
// Page-wide, not per mount: a refused save shows a message above the component,
// which Streamlit answers by mounting it afresh; the new mount settles the save.
const OPEN_SAVE = { id: null, stored: null, at: 0, style: null };

function createOptimistic(st, root) {
  const op = OPEN_SAVE;
  if (!op.style) {
    op.style = document.createElement("style");
    document.head.appendChild(op.style);
  }

  // A code-point offset as a DOM point inside the segment that holds it.
  function domPoint(cp) {
    const seg = st.segs[segIndexAt(st.segs, cp)];
    if (!seg || !seg.firstChild) return null;
    const k = cp - Number(seg.dataset.s);
    const units = Array.from(seg.firstChild.data).slice(0, Math.max(0, k)).join("").length;
    return [seg.firstChild, Math.min(units, seg.firstChild.data.length)];
  }

  function clear(outcome) {
    if (!op.id) return;
    if (window.CSS && CSS.highlights) CSS.highlights.delete(OPTIMISTIC);
    root.dataset[outcome] = op.id;
    root.dataset.optimistic = "";
    op.id = null;
  }

  return {
    draw(span, id, colour, t0) {
      if (!(window.CSS && CSS.highlights && window.Highlight) || !span || !id) return;
      const a = domPoint(span.s);
      const b = domPoint(span.e);
      if (!a || !b) return;
      const r = document.createRange();
      r.setStart(a[0], a[1]);
      r.setEnd(b[0], b[1]);
      const c = isColour(colour) ? colour : "#9aa0a6";
      op.style.textContent = `::highlight(${OPTIMISTIC}) { background-color: ${c}66; ` +
        `text-decoration: underline dashed ${c}; }`;
      CSS.highlights.set(OPTIMISTIC, new Highlight(r));
      op.id = id;
      op.stored = null;
      op.at = Date.now();
      root.dataset.optimistic = id;
      root.dataset.optimisticMs = (performance.now() - t0).toFixed(1); // read by bench_live.py
    },
    // The save route stored `sent` as `id` (another id only when `sent` was taken).
    stored(sent, id) {
      if (op.id === sent) op.stored = id;
    },
    refused(sent) {
      if (op.id === sent) clear("rolledBack");
    },
    // Called with each applied payload: the save is confirmed, refused, or still on its way.
    settle(data) {
      if (!op.id) return;
      const hs = Array.isArray(data.highlights) ? data.highlights : [];
      if (data.rejected === op.id) clear("rolledBack");
      else if (hs.some((h) => h && (h.id === op.id || h.id === op.stored))) clear("confirmed");
      else if (Date.now() - op.at > OPTIMISTIC_MS) clear("rolledBack");
    },
  };
}

// ---------------------------------------------------------------- state

function createState(parent) {
  const root = parent.querySelector(".hl-root");
  const textEl = root.querySelector(".hl-text");
  const button = root.querySelector(".hl-annotate");
  const status = root.querySelector(".hl-status");
  const legend = root.querySelector(".hl-legend");
  const picker = root.querySelector(".hl-picker");
  const caret = root.querySelector(".hl-caret");

  const st = {
    trigger: null,
    data: null, // last applied payload
    queued: null, // payload waiting for the selection to end
    renderedKey: null,
    cps: [], // the text as code points
    segs: [], // segment spans in document order
    segsById: new Map(), // annotation id -> its segment spans
    hlById: new Map(), // annotation id -> highlight record
    order: [], // annotation ids in text order (keyboard J/K)
    kbdIndex: -1,
    selecting: false,
    localPending: null, // {s, e} drawn before the server answers
    focusNonce: null,
    selectedId: null,
    a11y: { current: null, via: null, pickerReturn: null, composerOpen: false },
  };

  // ----- selection, in code points

  function selectionRange() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return null;
    const r = sel.getRangeAt(0);
    if (!textEl.contains(r.commonAncestorContainer)) return null;
    return r;
  }

  function hasOpenSelection() {
    const r = selectionRange();
    return !!r && !r.collapsed;
  }

  function segEnd(span) {
    return Number(span.dataset.s) + cpLength(span.textContent);
  }

  // Map a DOM boundary point to a code-point offset. Inside a segment's text
  // node: the segment's start plus the code points before the UTF-16 offset.
  // Anywhere else (element boundaries, labels): the nearest segment edge.
  function pointToCp(node, offset, preferEnd) {
    if (node.nodeType === Node.TEXT_NODE) {
      const span = node.parentNode;
      if (span && span.classList && span.classList.contains("seg")) {
        const d = node.data;
        let o = Math.min(offset, d.length);
        const code = d.charCodeAt(o);
        if (o > 0 && o < d.length && code >= 0xdc00 && code <= 0xdfff) o -= 1;
        return Number(span.dataset.s) + cpLength(d.slice(0, o));
      }
    }
    const r = document.createRange();
    try {
      r.setStart(node, offset);
    } catch (_e) {
      return null;
    }
    r.collapse(true);
    let lo = 0;
    let hi = st.segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r.comparePoint(st.segs[mid], 0) < 0) lo = mid + 1;
      else hi = mid;
    }
    // lo: first segment starting at or after the point.
    if (preferEnd && lo > 0) return segEnd(st.segs[lo - 1]);
    if (lo < st.segs.length) return Number(st.segs[lo].dataset.s);
    return st.cps.length;
  }

  function currentSpan() {
    const r = selectionRange();
    if (!r || r.collapsed) return null;
    let s = pointToCp(r.startContainer, r.startOffset, false);
    let e = pointToCp(r.endContainer, r.endOffset, true);
    if (s === null || e === null) return null;
    if (e < s) [s, e] = [e, s];
    while (s < e && /\s/u.test(st.cps[s])) s += 1;
    while (e > s && /\s/u.test(st.cps[e - 1])) e -= 1;
    if (e <= s) return null;
    return { s, e };
  }

  function sendSelection(via) {
    if (st.data && st.data.readonly) return false; // a passage shown for reading only
    const t0 = performance.now();
    const span = currentSpan();
    if (!span || !st.trigger) return false;
    const quote = st.cps.slice(span.s, span.e).join("");
    const id = uuid4();
    root.dataset.lastSent = id;
    st.a11y.via = via;
    LAST_SENT.id = id; // outlives a redrawn component: the composer still learns the way in
    LAST_SENT.via = via;
    window.getSelection().removeAllRanges();
    hideCaret();
    const quick = st.data && st.data.draft;
    if (quick) {
      st.optimistic.draw(span, id, quick.colour, t0); // saved at once: drawn as saved
      const body = { id, document: quick.document, start: span.s, end: span.e, quote,
        perspective: quick.perspective || "", codes: quick.codes || [] };
      // Sent as the next frame starts: the answer, and the drawing it brings, never
      // hold up the paint of the overlay.
      requestAnimationFrame(() => quickSave(quick, body, 0));
      return true;
    }
    st.localPending = { ...span, at: Date.now() };
    rebuild(st.data, true);
    st.trigger("selection", { start: span.s, end: span.e, quote, id, via });
    return true;
  }

  // A Quick-code save goes straight to the app's save route, not through a Streamlit
  // run: the stream then brings it back to this page as to every classmate's, and the
  // side panel reruns only as it does for their saves. A refusal rolls the drawing back
  // and says why; a network failure is sent once more (the id makes it store once).
  function quickSave(quick, body, tries) {
    fetch(quick.url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    })
      .then((r) => r.json().catch(() => ({})).then((j) => ({ ok: r.ok, status: r.status, j })))
      .then(({ ok, status, j }) => {
        if (ok && j && typeof j.id === "string") {
          root.dataset.saved = body.id;
          st.optimistic.stored(body.id, j.id);
          if (st.live) st.live.news(Number(j.revision));
        } else {
          const why = j && typeof j.error === "string" ? j.error : `the server answered ${status}`;
          refuse(body.id, `Not saved: ${why}`);
        }
      })
      .catch(() => {
        if (tries < 1) setTimeout(() => quickSave(quick, body, tries + 1), 1000);
        else refuse(body.id, "Not saved: the server could not be reached. Select the passage again.");
      });
  }

  const ERROR_MS = 10000;

  function refuse(id, message) {
    st.optimistic.refused(id);
    st.saveError = { text: message, until: Date.now() + ERROR_MS };
    renderChrome(st.data || {});
    setTimeout(() => renderChrome(st.data || {}), ERROR_MS + 50);
  }

  // ----- rendering

  function paintSegment(span, ids) {
    const colours = ids.map((id) => st.hlById.get(id)).filter(Boolean).map((h) => h.colour);
    const inner = colours[colours.length - 1];
    if (isColour(inner)) {
      span.style.backgroundColor = inner + ALPHA[Math.min(colours.length, ALPHA.length) - 1];
    }
    const shadows = colours
      .slice(0, 4)
      .map((c, i) => (isColour(c) ? `inset 0 -${2 * (i + 1)}px 0 ${c}` : null))
      .filter(Boolean);
    if (shadows.length) span.style.boxShadow = shadows.join(", ");
  }

  function rebuild(data, keepLocal) {
    if (!data) return;
    const t0 = performance.now();
    const text = typeof data.text === "string" ? data.text : "";
    const cps = Array.from(text);
    const n = cps.length;
    const highlights = Array.isArray(data.highlights) ? data.highlights : [];
    const paratext = Array.isArray(data.paratext) ? data.paratext : [];
    const lp = st.localPending;
    if (lp && !keepLocal) {
      const answered =
        (data.pending && data.pending.s === lp.s && data.pending.e === lp.e) ||
        highlights.some((h) => h && h.id === root.dataset.lastSent) ||
        Date.now() - lp.at > 8000;
      if (answered) st.localPending = null;
    }
    const pending = st.localPending || data.pending || null;

    const bounds = new Set([0, n]);
    const startsAt = new Map();
    const endsAt = new Map();
    const push = (m, k, v) => {
      const a = m.get(k);
      if (a) a.push(v);
      else m.set(k, [v]);
    };
    st.hlById = new Map();
    const valid = [];
    for (const h of highlights) {
      if (!(h && Number.isInteger(h.s) && Number.isInteger(h.e) && h.s < h.e)) continue;
      if (h.s < 0 || h.e > n) continue;
      st.hlById.set(h.id, h);
      valid.push(h);
    }
    valid.sort((a, b) => a.s - b.s || b.e - a.e);
    valid.forEach((h, i) => {
      bounds.add(h.s);
      bounds.add(h.e);
      push(startsAt, h.s, { id: h.id, rank: i });
      push(endsAt, h.e, h.id);
    });
    st.order = valid.map((h) => h.id);
    const paraStarts = new Map();
    for (const p of paratext) {
      if (!(Number.isInteger(p.s) && Number.isInteger(p.e) && p.s < p.e)) continue;
      bounds.add(Math.max(0, p.s));
      bounds.add(Math.min(n, p.e));
      paraStarts.set(p.s, p);
    }
    if (pending) {
      bounds.add(pending.s);
      bounds.add(pending.e);
    }
    for (let i = 0; i < n; i += 1) {
      if (cps[i] === "\n") {
        bounds.add(i);
        bounds.add(i + 1);
      }
    }
    const cuts = Array.from(bounds).filter((b) => b >= 0 && b <= n).sort((a, b) => a - b);

    const frag = document.createDocumentFragment();
    let line = el("div", "hl-line");
    let lineHasText = false;
    const active = new Map(); // id -> rank (outer first)
    const segs = [];
    const byId = new Map();
    let para = null;

    for (let k = 0; k < cuts.length - 1; k += 1) {
      const a = cuts[k];
      const b = cuts[k + 1];
      for (const id of endsAt.get(a) || []) active.delete(id);
      for (const x of startsAt.get(a) || []) active.set(x.id, x.rank);
      if (para && a >= para.e) para = null;
      if (paraStarts.has(a)) para = paraStarts.get(a);
      if (b - a === 1 && cps[a] === "\n") {
        if (!lineHasText) line.classList.add("hl-blank");
        frag.appendChild(line);
        line = el("div", "hl-line");
        lineHasText = false;
        continue;
      }
      const span = el("span", "seg");
      span.appendChild(document.createTextNode(cps.slice(a, b).join("")));
      span.dataset.s = String(a);
      if (para) {
        span.classList.add("hl-para");
        span.dataset.kind = String(para.kind || "");
        if (a === para.s) span.dataset.label = String(para.label || para.kind || "");
      }
      if (active.size) {
        const ids = Array.from(active.entries())
          .sort((x, y) => x[1] - y[1])
          .map((x) => x[0]);
        span.classList.add("hl-mark");
        span.setAttribute("data-ids", ids.join(" "));
        span.dataset.depth = String(ids.length);
        paintSegment(span, ids);
        for (const id of ids) {
          const list = byId.get(id);
          if (list) list.push(span);
          else byId.set(id, [span]);
        }
      }
      if (pending && a >= pending.s && b <= pending.e) span.classList.add("hl-pending");
      line.appendChild(span);
      lineHasText = true;
      segs.push(span);
    }
    if (!lineHasText) line.classList.add("hl-blank");
    frag.appendChild(line);

    const keep = a11yKeep();
    const scroll = textEl.scrollTop;
    textEl.replaceChildren(frag);
    textEl.scrollTop = scroll;
    st.cps = cps;
    st.segs = segs;
    st.segsById = byId;
    st.kbdIndex = -1;
    st.selectedId = null;
    applySelected(data.selected || null);
    a11yRestore(keep);
    root.dataset.highlights = String(valid.length);
    root.dataset.pending = pending ? `${pending.s}-${pending.e}` : "";
    root.dataset.renderMs = (performance.now() - t0).toFixed(1); // read by bench_ui.py
  }

  function renderChrome(data) {
    root.classList.toggle("hl-readonly", Boolean(data.readonly));
    const err = st.saveError && Date.now() < st.saveError.until ? st.saveError.text : "";
    status.textContent = err || (typeof data.status === "string" ? data.status : "");
    status.classList.toggle("hl-error", Boolean(err));
    if (err) status.setAttribute("role", "alert");
    else status.removeAttribute("role");
    const items = Array.isArray(data.legend) ? data.legend : [];
    const nodes = items.map((item) => {
      const wrap = el("span", "hl-legend-item");
      const sw = el("span", "hl-swatch");
      if (isColour(item.colour)) sw.style.background = item.colour;
      wrap.append(sw, document.createTextNode(String(item.name || "")));
      return wrap;
    });
    legend.replaceChildren(...nodes);
  }

  function applySelected(id) {
    if (st.selectedId === id) return;
    for (const s of st.segsById.get(st.selectedId) || []) s.classList.remove("hl-selected");
    st.selectedId = id;
    for (const s of st.segsById.get(id) || []) s.classList.add("hl-selected");
  }

  // Scroll the text box (not the page) so the span sits mid-box, then make the
  // box itself visible: the side panel the reader clicked stays where it is.
  function scrollToSpan(span, smooth) {
    const box = textEl.getBoundingClientRect();
    const r = span.getBoundingClientRect();
    const top = textEl.scrollTop + (r.top - box.top) - textEl.clientHeight / 2 + r.height / 2;
    textEl.scrollTo({ top: Math.max(0, top), behavior: smooth ? "smooth" : "auto" });
    textEl.scrollIntoView({ block: "nearest" });
  }

  function flash(id) {
    const spans = st.segsById.get(id);
    if (!spans || !spans.length) return false;
    scrollToSpan(spans[0], true);
    for (const s of spans) {
      s.classList.remove("hl-flash");
      void s.offsetWidth; // restart the animation
      s.classList.add("hl-flash");
    }
    setTimeout(() => spans.forEach((s) => s.classList.remove("hl-flash")), 1700);
    root.dataset.flashed = id;
    return true;
  }

  // ----- a live change drawn in place: only the segments of the changed highlights

  const PATCH_MAX = 50; // more changed highlights than this: a rebuild is as quick

  function validHl(h) {
    return h && Number.isInteger(h.s) && Number.isInteger(h.e) && h.s < h.e && h.s >= 0 &&
      h.e <= st.cps.length;
  }

  function segAt(cp) {
    return segIndexAt(st.segs, cp);
  }

  function segIds(seg) {
    return (seg.getAttribute("data-ids") || "").split(" ").filter(Boolean);
  }

  // Make cp a segment boundary (a segment never spans a line break, so this stays in a line).
  function splitAt(cp) {
    const i = segAt(cp);
    const seg = st.segs[i];
    if (!seg || !seg.firstChild) return;
    const s0 = Number(seg.dataset.s);
    const chars = Array.from(seg.firstChild.data);
    const k = cp - s0;
    if (k <= 0 || k >= chars.length) return;
    const tail = seg.cloneNode(false);
    for (const a of ["data-label", "role", "tabindex", "aria-label"]) tail.removeAttribute(a);
    tail.appendChild(document.createTextNode(chars.slice(k).join("")));
    tail.dataset.s = String(cp);
    seg.firstChild.data = chars.slice(0, k).join("");
    seg.after(tail);
    st.segs.splice(i + 1, 0, tail);
    for (const id of segIds(seg)) {
      const list = st.segsById.get(id);
      if (list) list.splice(list.indexOf(seg) + 1, 0, tail);
    }
  }

  function repaint(seg, ids) {
    const ranked = ids
      .filter((id) => st.hlById.has(id))
      .sort((a, b) => {
        const x = st.hlById.get(a);
        const y = st.hlById.get(b);
        return x.s - y.s || y.e - x.e;
      });
    seg.style.backgroundColor = "";
    seg.style.boxShadow = "";
    seg.classList.remove("hl-selected");
    if (!ranked.length) {
      seg.classList.remove("hl-mark");
      seg.removeAttribute("data-ids");
      delete seg.dataset.depth;
      return;
    }
    seg.classList.add("hl-mark");
    seg.setAttribute("data-ids", ranked.join(" "));
    seg.dataset.depth = String(ranked.length);
    paintSegment(seg, ranked);
  }

  // Draw `data` (st.data's highlights with `change` applied) by touching only the
  // segments of the changed highlights; false when a rebuild is needed instead.
  function patch(data, change) {
    const pendingNow = data.pending ? `${data.pending.s}-${data.pending.e}` : "";
    if (!change || change.from !== st.renderedKey || st.localPending ||
        pendingNow !== (root.dataset.pending || "") || !st.segs.length) return false;
    const changed = (change.changed || []).filter(validHl);
    const gone = new Set([...(change.removed || []), ...changed.map((h) => h.id)]);
    if (gone.size > PATCH_MAX) return false;
    const touched = new Set();
    for (const id of gone) {
      for (const seg of st.segsById.get(id) || []) touched.add(seg);
      st.segsById.delete(id);
      st.hlById.delete(id);
    }
    for (const h of changed) {
      splitAt(h.s);
      splitAt(h.e);
      st.hlById.set(h.id, h);
      const spans = [];
      for (let i = segAt(h.s); i < st.segs.length; i += 1) {
        const seg = st.segs[i];
        const s0 = Number(seg.dataset.s);
        if (s0 >= h.e) break;
        if (s0 >= h.s) {
          spans.push(seg);
          touched.add(seg);
        }
      }
      st.segsById.set(h.id, spans);
    }
    for (const seg of touched) {
      const ids = new Set(segIds(seg).filter((id) => !gone.has(id)));
      for (const h of changed) {
        const s0 = Number(seg.dataset.s);
        if (s0 >= h.s && s0 < h.e) ids.add(h.id);
      }
      repaint(seg, Array.from(ids));
    }
    const valid = Array.from(st.hlById.values()).sort((a, b) => a.s - b.s || b.e - a.e);
    st.order = valid.map((h) => h.id);
    st.kbdIndex = -1;
    const selected = st.selectedId;
    st.selectedId = null;
    applySelected(selected);
    root.dataset.highlights = String(valid.length);
    root.dataset.patched = String(Number(root.dataset.patched || 0) + 1);
    return true;
  }

  function apply(data) {
    st.data = data;
    const key = String(data.render_key ?? "");
    if (key !== st.renderedKey) {
      const t0 = performance.now();
      if (patch(data, data.live_change)) root.dataset.renderMs = (performance.now() - t0).toFixed(1);
      else rebuild(data, false);
      st.renderedKey = key;
    } else {
      applySelected(data.selected || null);
    }
    st.optimistic.settle(data);
    renderChrome(data);
    const focus = data.focus;
    if (focus && focus.nonce !== st.focusNonce) {
      st.focusNonce = focus.nonce;
      flash(focus.id);
    }
    a11yAfterApply(data);
    root.dataset.ready = "1";
    root.dataset.renderKey = key;
    root.dataset.deferred = "0";
  }

  function busy() {
    return st.selecting || hasOpenSelection();
  }

  function flushQueued() {
    if (st.queued && !busy()) {
      const d = st.queued;
      st.queued = null;
      apply(d);
    }
  }

  // The newest payload this component has, applied or waiting for a selection to end.
  st.latest = () => st.queued || st.data;

  // A drawing fetched by the live updates: the newest payload with these highlights
  // (all of them, or what changed since the payload's revision), offered like a payload.
  st.drawLive = (d, cfg) => {
    const base = st.latest();
    if (!base || !base.live) return false;
    let hs;
    if (Array.isArray(d.highlights)) {
      hs = d.highlights;
    } else if (d.since === base.live.revision && Array.isArray(d.changed)) {
      const gone = new Set([...(d.removed || []), ...d.changed.map((h) => h && h.id)]);
      hs = (base.highlights || []).filter((h) => h && !gone.has(h.id)).concat(d.changed);
    } else {
      return false;
    }
    st.offer({
      ...base,
      highlights: hs,
      render_key: liveKey(d.document, d.sha256, d.digest, base.pending, cfg.colour_by),
      live: { ...base.live, revision: d.revision },
      // What changed since the payload drawn: apply() patches only those, if it was drawn.
      live_change: Array.isArray(d.highlights) ? null
        : { from: String(base.render_key ?? ""), changed: d.changed, removed: d.removed || [] },
    });
    return true;
  };

  st.offer = (data) => {
    if (busy()) {
      st.queued = data;
      root.dataset.deferred = "1";
      return;
    }
    st.queued = null;
    apply(data);
  };

  // ----- picker

  function hidePicker() {
    picker.hidden = true;
    picker.replaceChildren();
  }

  function pick(id) {
    const fromPicker = !picker.hidden;
    hidePicker();
    if (fromPicker) a11yReturnFromPicker();
    if (st.trigger) st.trigger("pick", { id, nonce: uuid4() });
  }

  function showPicker(ids, x, y) {
    const title = el("div", "hl-picker-title", `${ids.length} annotations here: choose one`);
    const buttons = ids.map((id) => {
      const h = st.hlById.get(id) || {};
      const b = el("button", "hl-pick");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.dataset.id = id;
      const sw = el("span", "hl-swatch");
      if (isColour(h.colour)) sw.style.background = h.colour;
      const body = el("span", "", String(h.label || id));
      const quote = pickerQuote(h);
      if (quote) body.appendChild(el("span", "hl-picker-quote", quote));
      if (h.note) body.appendChild(el("span", "hl-picker-note", String(h.note)));
      b.append(sw, body);
      b.addEventListener("click", (ev) => {
        ev.stopPropagation();
        pick(id);
      });
      b.addEventListener("mouseenter", () => flashQuiet(id, true));
      b.addEventListener("mouseleave", () => flashQuiet(id, false));
      return b;
    });
    picker.replaceChildren(title, ...buttons);
    const box = root.getBoundingClientRect();
    picker.style.left = `${Math.max(0, Math.min(x - box.left, box.width - 240))}px`;
    picker.style.top = `${y - box.top + 12}px`;
    a11yOpenPicker(title);
    picker.hidden = false;
    buttons[0].focus({ preventScroll: true });
  }

  // The words a highlight covers, clipped by code points: overlapping highlights
  // differ by where they start and end, which labels alone do not show.
  function pickerQuote(h) {
    if (!Number.isInteger(h.s) || !Number.isInteger(h.e) || h.e <= h.s) return "";
    const words = st.cps.slice(h.s, h.e);
    const shown = words.length > PICKER_QUOTE ? words.slice(0, PICKER_QUOTE).join("") + "…"
      : words.join("");
    return `“${shown.replace(/\s+/gu, " ").trim()}”`;
  }

  function flashQuiet(id, on) {
    for (const s of st.segsById.get(id) || []) s.classList.toggle("hl-kbd", on);
  }

  // ----- caret for the keyboard path (non-editable text draws none)

  function hideCaret() {
    caret.hidden = true;
  }

  function drawCaret() {
    const sel = window.getSelection();
    const r = selectionRange();
    if (!r || document.activeElement !== textEl || !sel.isCollapsed) {
      hideCaret();
      return;
    }
    const rect = r.getClientRects()[0] || r.getBoundingClientRect();
    if (!rect || (!rect.height && !rect.top)) {
      hideCaret();
      return;
    }
    caret.style.left = `${rect.left}px`;
    caret.style.top = `${rect.top}px`;
    caret.style.height = `${rect.height || 18}px`;
    caret.hidden = false;
  }

  function ensureCaret() {
    if (selectionRange()) return;
    const first = st.segs.find((s) => {
      const r = s.getBoundingClientRect();
      const box = textEl.getBoundingClientRect();
      return r.bottom > box.top;
    });
    if (!first) return;
    window.getSelection().collapse(first.firstChild, 0);
  }

  function moveKbdHighlight(step) {
    if (!st.order.length) return;
    flashQuiet(st.order[st.kbdIndex], false);
    st.kbdIndex = (st.kbdIndex + step + st.order.length) % st.order.length;
    const id = st.order[st.kbdIndex];
    flashQuiet(id, true);
    const spans = st.segsById.get(id);
    if (spans && spans[0]) scrollToSpan(spans[0], false);
    status.textContent = `Highlight ${st.kbdIndex + 1} of ${st.order.length}: Enter opens it`;
    a11yFocusHighlight(id);
  }

  // ----- a11y: keyboard and screen-reader paths
  //
  // Highlights: J/K (or the buttons they land on) move real focus to the first
  // segment of each highlight in text order; that segment becomes, while
  // focused, a button named with the highlight's author, perspective, codes and
  // quote (roving focus: one segment at a time carries the role, so shared
  // segments of nested highlights never hold two names). Picker and composer
  // keep Tab inside themselves and give focus back to the text when they close.
  // A "Skip to text" link at the top of the page reaches the text in two keys.
  // User text goes in through setAttribute / textContent only.

  const COMPOSER = ".st-key-ws_composer"; // forms.composer: st.container(key=state.COMPOSER)
  const COMPOSER_CANCEL = ".st-key-new_cancel button"; // state.COMPOSE_CANCEL
  const FOCUSABLE =
    'button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select, a[href], [tabindex]:not([tabindex="-1"])';

  function a11yName(id) {
    const h = st.hlById.get(id) || {};
    const i = st.order.indexOf(id);
    const long = h.e - h.s > 80;
    const clipped = st.cps.slice(h.s, long ? h.s + 79 : h.e).join("") + (long ? "…" : "");
    const who = String(h.spoken || h.label || "");
    return `Highlight ${i + 1} of ${st.order.length}, ${who}: “${clipped}”. Enter opens it.`;
  }

  function a11yClear() {
    const el = st.a11y.current && st.a11y.current.el;
    if (el) {
      el.removeAttribute("role");
      el.removeAttribute("tabindex");
      el.removeAttribute("aria-label");
    }
    st.a11y.current = null;
  }

  function a11yFocusHighlight(id) {
    a11yClear();
    const spans = st.segsById.get(id);
    if (!spans || !spans[0]) return;
    const el = spans[0];
    el.setAttribute("role", "button");
    el.setAttribute("tabindex", "-1");
    el.setAttribute("aria-label", a11yName(id));
    st.a11y.current = { id, el };
    el.focus({ preventScroll: true });
  }

  // Before a redraw: what had focus in the text, to give it back afterwards
  // (replaceChildren drops the focused segment and focus falls to <body>).
  function a11yKeep() {
    const active = document.activeElement;
    const inText = !!active && textEl.contains(active);
    const id = st.a11y.current ? st.a11y.current.id : null;
    st.a11y.current = null;
    return { inText, id };
  }

  function a11yRestore(keep) {
    if (keep.inText) a11yFocusText(keep.id);
    else if (!st.renderedKey) a11yTakeOver();
  }

  // Streamlit may replace the whole component (a new mount, with fresh state)
  // while the reader's focus is in the text, e.g. when Enter opens a highlight
  // and the page's layout changes. Focus then falls to <body>. Where focus was
  // is kept for the page, not the component, so the new mount gives it back;
  // moving focus elsewhere on purpose forgets it.
  function a11yRemember() {
    const cur = st.a11y.current;
    window[FOCUS_MEMORY] = { id: cur ? cur.id : null };
  }

  function a11yForget(ev) {
    const to = ev.relatedTarget;
    if (to instanceof Element && !to.closest(".hl-text")) window[FOCUS_MEMORY] = null;
  }

  function a11yTakeOver() {
    const mem = window[FOCUS_MEMORY];
    const active = document.activeElement;
    if (mem && root.isConnected && (!active || active === document.body)) a11yFocusText(mem.id);
  }

  // Focus on highlight `id` when it is drawn, else on the text itself.
  function a11yFocusText(id) {
    const i = id ? st.order.indexOf(id) : -1;
    if (i >= 0) {
      st.kbdIndex = i;
      a11yFocusHighlight(id);
    } else {
      textEl.focus({ preventScroll: true });
    }
  }

  // One link per page, not per component: Streamlit may mount a new component
  // before it drops the old one, so the link finds the text when it is used.
  function a11ySkipLink(readonly) {
    if (readonly) return;
    textEl.id = SKIP_TARGET;
    if (document.querySelector(".hl-skip")) return;
    const link = el("a", "hl-skip", "Skip to text");
    link.setAttribute("href", `#${SKIP_TARGET}`);
    link.addEventListener("click", (ev) => {
      const text = document.getElementById(SKIP_TARGET);
      if (!text) return;
      ev.preventDefault();
      text.scrollIntoView({ block: "nearest" });
      text.focus({ preventScroll: true });
    });
    document.body.prepend(link);
  }

  function composerEl() {
    return document.querySelector(COMPOSER);
  }

  function focusables(box) {
    return Array.from(box.querySelectorAll(FOCUSABLE)).filter(
      (e) => e.offsetParent !== null || e === document.activeElement,
    );
  }

  // The composer is Streamlit's, drawn in the same run as this payload; wait
  // a little for it, then move focus into its first field.
  function a11yFocusComposer(tries) {
    const box = composerEl();
    const first = box && focusables(box)[0];
    if (first) {
      first.focus();
      a11yKeepInComposer(tries);
      return;
    }
    if (tries > 0) setTimeout(() => a11yFocusComposer(tries - 1), 100);
  }

  // Streamlit may draw the form again a moment later, dropping focus to the page:
  // while the composer is open and the reader has not moved focus elsewhere, put
  // it back.
  function a11yKeepInComposer(tries) {
    if (tries <= 0) return;
    setTimeout(() => {
      if (!st.a11y.composerOpen) return;
      const active = document.activeElement;
      const box = composerEl();
      if (!active || active === document.body) a11yFocusComposer(tries - 1);
      else if (box && box.contains(active)) a11yKeepInComposer(tries - 1);
    }, 150);
  }

  function a11yAfterApply(data) {
    a11ySkipLink(Boolean(data.readonly));
    const open = Boolean(data.pending);
    const via = st.a11y.via ||
      (data.pending && data.pending.id === LAST_SENT.id ? LAST_SENT.via : null);
    if (open && !st.a11y.composerOpen && (via === "keyboard" || via === "button")) {
      a11yFocusComposer(50);
    }
    if (!open && st.a11y.composerOpen) {
      const active = document.activeElement;
      const box = composerEl();
      const lost = !active || active === document.body || (box && box.contains(active));
      if (lost) a11yFocusText(data.selected || null);
    }
    if (open !== st.a11y.composerOpen) st.a11y.via = null;
    st.a11y.composerOpen = open;
  }

  // Tab and Shift+Tab cycle inside the open composer; Escape cancels it
  // (unless a dropdown inside it is open: Escape closes that first).
  function a11yComposerKey(ev) {
    if (!st.a11y.composerOpen) return;
    const box = composerEl();
    if (!box || !box.contains(document.activeElement)) return;
    if (ev.key === "Escape") {
      if (document.activeElement.closest('[aria-expanded="true"]')) return;
      const cancel = box.querySelector(COMPOSER_CANCEL);
      if (cancel) {
        ev.preventDefault();
        cancel.click();
      }
      return;
    }
    if (ev.key !== "Tab") return;
    const items = focusables(box);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (ev.shiftKey && document.activeElement === first) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  }

  function a11yOpenPicker(title) {
    const active = document.activeElement;
    st.a11y.pickerReturn = active && root.contains(active) && !picker.contains(active) ? active : null;
    title.id = title.id || `hl-picker-title-${uuid4().slice(0, 8)}`;
    title.setAttribute("role", "presentation");
    picker.setAttribute("aria-labelledby", title.id);
  }

  function a11yReturnFromPicker() {
    const back = st.a11y.pickerReturn;
    st.a11y.pickerReturn = null;
    if (back && back.isConnected) back.focus({ preventScroll: true });
    else textEl.focus({ preventScroll: true });
  }

  // Arrow keys, Home/End and Tab move between the picker's items; Tab wraps, so
  // focus stays in the open menu until an item is chosen or Escape closes it.
  function a11yPickerKey(ev) {
    const items = Array.from(picker.querySelectorAll("button.hl-pick"));
    if (!items.length) return;
    const i = items.indexOf(document.activeElement);
    let next = null;
    if (ev.key === "ArrowDown" || (ev.key === "Tab" && !ev.shiftKey)) next = (i + 1) % items.length;
    else if (ev.key === "ArrowUp" || (ev.key === "Tab" && ev.shiftKey))
      next = (i - 1 + items.length) % items.length;
    else if (ev.key === "Home") next = 0;
    else if (ev.key === "End") next = items.length - 1;
    if (next === null) return;
    ev.preventDefault();
    items[next].focus();
  }

  // ----- events

  const onPointerDown = (ev) => {
    if (ev.button !== 0) return;
    if (picker.contains(ev.target)) return;
    hidePicker();
    st.selecting = true;
  };

  const onPointerUp = (ev) => {
    if (!st.selecting) return;
    st.selecting = false;
    const touch = ev.pointerType === "touch";
    setTimeout(() => {
      // Touch selections keep changing with their handles: the button sends them.
      if (!touch && hasOpenSelection()) sendSelection("mouse");
      flushQueued();
    }, 0);
  };

  const onClick = (ev) => {
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return;
    const seg = ev.target.closest ? ev.target.closest(".seg.hl-mark") : null;
    if (!seg || !textEl.contains(seg)) return;
    const ids = (seg.getAttribute("data-ids") || "").split(" ").filter(Boolean);
    if (ids.length === 1) pick(ids[0]);
    else if (ids.length > 1) showPicker(ids, ev.clientX, ev.clientY);
  };

  const onSelectionChange = () => {
    const open = hasOpenSelection();
    button.disabled = !open;
    drawCaret();
    if (!open) flushQueued();
  };

  const KEYS = {
    ArrowLeft: ["backward", "character"],
    ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"],
    ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"],
    End: ["forward", "lineboundary"],
  };

  const onKeyDown = (ev) => {
    if (ev.metaKey) return;
    const move = KEYS[ev.key];
    if (move) {
      ensureCaret();
      const sel = window.getSelection();
      if (!sel || !sel.modify) return;
      let [dir, gran] = move;
      if ((ev.ctrlKey || ev.altKey) && gran === "character") gran = "word";
      sel.modify(ev.shiftKey ? "extend" : "move", dir, gran);
      ev.preventDefault();
      return;
    }
    if (ev.ctrlKey || ev.altKey) return;
    if (ev.key === "Enter" || ev.key === "a" || ev.key === "A") {
      if (hasOpenSelection()) {
        sendSelection("keyboard");
        ev.preventDefault();
      } else if (ev.key === "Enter" && st.kbdIndex >= 0) {
        pick(st.order[st.kbdIndex]);
        ev.preventDefault();
      }
    } else if (ev.key === "Escape") {
      window.getSelection().removeAllRanges();
      hidePicker();
      hideCaret();
    } else if (ev.key === "j" || ev.key === "k") {
      moveKbdHighlight(ev.key === "j" ? 1 : -1);
      ev.preventDefault();
    } else if (/^[1-9]$/.test(ev.key) && st.trigger) {
      st.trigger("hotkey", { code: Number(ev.key), nonce: uuid4() });
      ev.preventDefault();
    }
  };

  const onPickerKey = (ev) => {
    if (ev.key === "Escape") {
      hidePicker();
      a11yReturnFromPicker();
      ev.preventDefault();
    } else {
      a11yPickerKey(ev);
    }
  };

  const onDocPointerDown = (ev) => {
    if (!picker.hidden && !picker.contains(ev.target)) hidePicker();
  };

  const onButton = (ev) => {
    ev.preventDefault();
    sendSelection("button");
  };

  // The composer's Save button (outside the component): draw its pending span as saved.
  const onSave = (ev) => {
    const save = st.data && st.data.save_button;
    const p = st.data && st.data.pending;
    if (!save || !p || !p.id || !ev.target.closest || !ev.target.closest(`.${save} button`)) return;
    st.optimistic.draw(p, p.id, null, performance.now());
  };
  // Keep the selection when the button is pressed (a click would collapse it first).
  const onButtonDown = (ev) => ev.preventDefault();

  textEl.addEventListener("pointerdown", onPointerDown);
  textEl.addEventListener("click", onClick);
  textEl.addEventListener("keydown", onKeyDown);
  textEl.addEventListener("focus", drawCaret);
  textEl.addEventListener("blur", hideCaret);
  textEl.addEventListener("focusin", a11yRemember);
  textEl.addEventListener("focusout", a11yForget);
  textEl.addEventListener("scroll", drawCaret, { passive: true });
  picker.addEventListener("keydown", onPickerKey);
  button.addEventListener("mousedown", onButtonDown);
  button.addEventListener("click", onButton);
  document.addEventListener("pointerup", onPointerUp, true);
  document.addEventListener("pointercancel", onPointerUp, true);
  document.addEventListener("selectionchange", onSelectionChange);
  document.addEventListener("pointerdown", onDocPointerDown, true);
  document.addEventListener("click", onSave, true);
  st.optimistic = createOptimistic(st, root);

  document.addEventListener("keydown", a11yComposerKey, true);
  document.addEventListener(TAKE_OVER, a11yTakeOver);

  st.destroy = () => {
    document.removeEventListener(TAKE_OVER, a11yTakeOver);
    // A mount that came before this one was dropped takes the focus it held.
    document.dispatchEvent(new Event(TAKE_OVER));
    document.removeEventListener("keydown", a11yComposerKey, true);
    document.removeEventListener("click", onSave, true);
    document.removeEventListener("pointerup", onPointerUp, true);
    document.removeEventListener("pointercancel", onPointerUp, true);
    document.removeEventListener("selectionchange", onSelectionChange);
    document.removeEventListener("pointerdown", onDocPointerDown, true);
  };
  return st;
}
