"""The drawing pad: a canvas that draws the pen locally and, on every pen-up, hands the server the strokes themselves.

Built on Gradio's own ``gr.HTML`` (a template, scoped CSS and ``js_on_load``): the browser draws each stroke at the
screen's resolution as the pen moves, and when the pen lifts, the pad's value becomes ``{"width", "height",
"brush", "strokes"}`` (``model.ink.strokes.Strokes.parse`` reads it), which fires the component's ``change`` event.
Nothing is composited, exported or uploaded, so the answer arrives in tens of milliseconds.
"""

from __future__ import annotations

import gradio as gr

from model.ink import canvas

from . import texts

HTML = """
<div class="tools">
  <button type="button" class="undo" aria-label="Undo" title="Undo the last stroke" disabled>↶</button>
  <button type="button" class="clear" aria-label="Clear" title="Clear" disabled>✕</button>
</div>
<div class="pad" style="aspect-ratio: ${width} / ${height}">
  <canvas aria-label="${label}" role="img"></canvas>
  <p class="hint">${hint}</p>
  <p class="offline" hidden>${offline}</p>
</div>
"""

# The buttons sit above the canvas, not on it: on a phone the word pad is a short strip, and a button on it would
# swallow the end of a word.
CSS = """
.pad { position: relative; width: 100%; max-width: ${width}px; margin: 0 auto; border-radius: 12px;
       background: #fff; border: 1px solid var(--border-color-primary); overflow: hidden; }
.pad canvas { display: block; width: 100%; height: 100%; touch-action: none; cursor: crosshair;
              user-select: none; -webkit-user-select: none; -webkit-touch-callout: none; }
.tools { display: flex; justify-content: flex-end; gap: 6px; max-width: ${width}px; margin: 0 auto 6px; }
.tools button { width: 40px; height: 40px; border-radius: 20px; border: 1px solid #d0d0d0; background: #fafafa;
                color: #222; font-size: 20px; line-height: 1; cursor: pointer; }
.tools button:disabled { opacity: 0.35; cursor: default; }
.hint { position: absolute; left: 0; right: 0; bottom: 8px; margin: 0; text-align: center; color: #9a9a9a;
        font-size: 14px; pointer-events: none; }
.pad.inked .hint { display: none; }
.offline { position: absolute; left: 8px; top: 8px; right: 8px; margin: 0; padding: 2px 8px; border-radius: 8px; pointer-events: none;
           background: #fff4d6; color: #5c4500; font-size: 13px; }
"""

# Points are kept in canvas units (the template's width x height) whatever the screen size, one every MIN_STEP
# units, and drawn through a transform at the display's pixel ratio. Only the primary pointer draws (a palm or
# a second finger is ignored); a stroke in progress is never sent.
JS = """
const box = element.querySelector('.pad');
const canvas = element.querySelector('canvas');
const undoButton = element.querySelector('.undo');
const clearButton = element.querySelector('.clear');
const ctx = canvas.getContext('2d');
const W = props.width, H = props.height, BRUSH = props.brush, MIN_STEP = props.step;
let strokes = [];
let current = null;

function fit() {
  const rect = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(rect.width * ratio));
  canvas.height = Math.max(1, Math.round(rect.height * ratio));
  redraw();
}
function pen() {
  ctx.setTransform(canvas.width / W, 0, 0, canvas.height / H, 0, 0);
  ctx.lineWidth = BRUSH; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  ctx.strokeStyle = props.ink; ctx.fillStyle = props.ink;
}
function dot(p) { ctx.beginPath(); ctx.arc(p[0], p[1], BRUSH / 2, 0, 2 * Math.PI); ctx.fill(); }
function redraw() {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  pen();
  for (const s of strokes) {
    if (s.length === 1) { dot(s[0]); continue; }
    ctx.beginPath(); ctx.moveTo(s[0][0], s[0][1]);
    for (const p of s.slice(1)) ctx.lineTo(p[0], p[1]);
    ctx.stroke();
  }
  box.classList.toggle('inked', strokes.length > 0);
  undoButton.disabled = clearButton.disabled = strokes.length === 0;
}
function at(e) {
  const rect = canvas.getBoundingClientRect();
  const x = (e.clientX - rect.left) * W / rect.width, y = (e.clientY - rect.top) * H / rect.height;
  return [Math.round(Math.min(W, Math.max(0, x)) * 100) / 100, Math.round(Math.min(H, Math.max(0, y)) * 100) / 100];
}
function send() {
  element.dataset.sentAt = performance.now();
  const value = {width: W, height: H, brush: BRUSH, strokes: strokes.map(s => s.slice())};
  if (answerHere(value)) {  // the page's answer is painted first, then the server is asked
    requestAnimationFrame(() => setTimeout(() => { props.value = value; }, 0));
  } else {
    props.value = value;
  }
}

// The character pad answers in the page (space/web/reader.js: the served model's weights, the same rendering,
// views, classes and memory) and the server's answer follows; where the page cannot, the server alone answers.
const local = props.local;
let reader = null;
const offlineNote = element.querySelector('.offline');
function online() { offlineNote.hidden = navigator.onLine || !reader; }
window.addEventListener('online', online);
window.addEventListener('offline', online);
if (local) {
  import(local.module)
    .then(async (r) => { reader = {r, model: await r.loadModel(local.weights)}; box.dataset.local = 'ready'; online(); })
    .catch((err) => { box.dataset.local = 'off'; console.warn('The pad reads on the server only:', err); });
}
function shown() {
  let panel = document.querySelector('#guesses .local-guess');
  if (!panel) {
    const host = document.querySelector('#guesses');
    if (!host) return null;
    panel = document.createElement('div');
    panel.className = 'local-guess';
    panel.setAttribute('aria-live', 'polite');
    host.style.position = 'relative';
    host.appendChild(panel);
    // The server's answer replaces the page's as soon as it differs from the one shown before (space/ui.py
    // also hides this on every answer the server gives the pad); its progress indicator does not count.
    const served = () => Array.from(host.children).filter((c) => c !== panel && !c.matches('[data-testid=status-tracker]'))
      .map((c) => c.innerText).join('|');
    let before = served();
    new MutationObserver(() => {
      const now = served();
      if (now !== before) { before = now; panel.hidden = true; }
    }).observe(host, {subtree: true, childList: true, characterData: true});
  }
  return panel;
}
function answerHere(value) {
  if (!reader || !local) return false;
  const chosen = document.querySelector('#model input')?.value;
  if (chosen && !local.models.includes(chosen)) return false;
  const panel = shown();
  if (!panel) return false;
  online();
  if (!value.strokes.length) {  // nothing drawn: no guess, nor an older one of the server's (offline it stays)
    panel.replaceChildren();
    panel.hidden = false;
    return true;
  }
  try {
    const kind = document.querySelector('#kind input:checked')?.value;
    let memory = null;
    try { memory = JSON.parse(document.querySelector('#memory-mirror textarea')?.value || 'null'); } catch (e) {}
    const started = performance.now();
    const answer = reader.r.predictStrokes(reader.model, value, {allowed: local.kinds[kind] || null, memory});
    box.dataset.localMs = (performance.now() - started).toFixed(2);
    const top = answer.probabilities.map((p, i) => [reader.model.labels[i], p])
      .filter(([, p]) => p > 0).sort((a, b) => b[1] - a[1]).slice(0, local.top);
    panel.replaceChildren();
    const head = document.createElement('h2');
    head.className = 'local-top';
    head.textContent = top[0][0];
    panel.appendChild(head);
    for (const [labelText, p] of top) {
      const row = document.createElement('div');
      row.className = 'local-row';
      row.innerHTML = '<span class="bar"></span><span class="name"></span><span class="share"></span>';
      row.querySelector('.bar').style.width = `${Math.round(100 * p)}%`;
      row.querySelector('.name').textContent = labelText;
      row.querySelector('.share').textContent = `${Math.round(100 * p)}%`;
      panel.appendChild(row);
    }
    panel.hidden = false;
    return true;
  } catch (err) {
    panel.hidden = true;
    console.warn('The page could not read this drawing; the server will:', err);
    return false;
  }
}
canvas.addEventListener('pointerdown', e => {
  if (!e.isPrimary || e.button > 0) return;
  e.preventDefault();
  canvas.setPointerCapture(e.pointerId);
  current = [at(e)];
  strokes.push(current);
  pen(); dot(current[0]);
  box.classList.add('inked');
});
canvas.addEventListener('pointermove', e => {
  if (!current || !e.isPrimary) return;
  e.preventDefault();
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  pen();
  for (const ev of (events.length ? events : [e])) {
    const p = at(ev), last = current[current.length - 1];
    if (Math.hypot(p[0] - last[0], p[1] - last[1]) < MIN_STEP) continue;
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    current.push(p);
  }
});
function lift(e) {
  if (!current || !e.isPrimary) return;
  current = null;
  redraw();
  send();
}
canvas.addEventListener('pointerup', lift);
canvas.addEventListener('pointercancel', lift);
undoButton.addEventListener('click', () => { strokes.pop(); redraw(); send(); });
clearButton.addEventListener('click', () => { strokes = []; redraw(); send(); });
new ResizeObserver(fit).observe(canvas);
fit();
// Strokes drawn while the page was still starting never reached the server: send them again once it listens.
document.addEventListener('app-ready', () => { if (strokes.length) send(); });
box.dataset.ready = '1';  // the pen is listened to from here on
"""


class DrawingPad(gr.HTML):
    """A pen-and-finger canvas whose value is the strokes drawn on it (see the module docstring)."""

    def __init__(
        self, size: tuple[int, int] = canvas.CANVAS, *, label: str, hint: str, local: dict | None = None, **kwargs
    ):
        """``local``: where the page's own reader and weights are, and what it needs to answer as the server does
        (``space.ui.local_reader``); None: the server answers alone."""
        width, height = size
        super().__init__(
            value=None,
            html_template=HTML,
            css_template=CSS,
            js_on_load=JS,
            apply_default_css=False,
            width=width,
            height=height,
            brush=canvas.BRUSH,
            step=canvas.MIN_STEP,
            ink=canvas.INK_COLOUR,
            label=label,
            hint=hint,
            local=local,
            offline=texts.OFFLINE,
            **kwargs,
        )
