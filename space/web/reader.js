// The character pad's reader, in the visitor's browser: the same LeNet-5 the server serves (its weights from
// lenet5_emnist_balanced.web.bin, written by the export step; model/web_weights.py describes the file), the same
// drawing of strokes into the 28x28 frame (model/strokes.py render and model/preprocess.py finish, down to
// Pillow's line, disc, reduce and bicubic code and SciPy's Gaussian), the same test-time views, the same
// `allowed` classes and writer memory. The server stays the reference: tests compare the two on real drawings.

const f32 = Math.fround;
const GLYPH_SPAN = 22, STROKE_WIDTH = 3, WORK_PAD = 4, MARGIN = 2, SIZE = 28, SUPERSAMPLE = 4;
const NIST_SIGMA = 1.0, NIST_SIDE = 96, JOIN_TURN = 10.0, OUTSIDE_SHARE = 1.0;
const MAX_STROKES = 500, MAX_POINTS = 20000, MAX_SIDE = 10000;
const SHAPES = [
  ["conv1/kernel", [5, 5, 1, 6]], ["conv1/bias", [6]], ["conv2/kernel", [5, 5, 6, 16]], ["conv2/bias", [16]],
  ["fc1/kernel", [400, 120]], ["fc1/bias", [120]], ["fc2/kernel", [120, 84]], ["fc2/bias", [84]],
  ["predictions/kernel", [84, 47]], ["predictions/bias", [47]],
];

// ---- the weights file ------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The model from the weights file's bytes; throws an Error saying what is wrong with a damaged file. */
export function parseModel(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const magic = String.fromCharCode(...bytes.slice(0, 4));
  if (bytes.length < 13 || bytes.length > 1000000 || magic !== "LN5W") throw new Error("not a LeNet-5 web weights file");
  if (bytes[4] !== 1) throw new Error(`web weights format ${bytes[4]}; this page reads 1`);
  if (crc32(bytes.subarray(0, bytes.length - 4)) !== view.getUint32(bytes.length - 4, true)) {
    throw new Error("the web weights file is damaged (checksum)");
  }
  const length = view.getUint32(5, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(9, 9 + length)));
  let offset = 9 + length;
  const tensors = {};
  header.tensors.forEach((spec, i) => {
    const [name, shape] = SHAPES[i];
    if (spec.name !== name || spec.shape.join() !== shape.join()) throw new Error("another network's weights");
    const count = shape.reduce((a, b) => a * b, 1);
    if (offset + 2 * count > bytes.length - 4) throw new Error("the web weights file is cut short");
    const values = new Float32Array(count);
    const scale = f32(spec.scale);
    for (let k = 0; k < count; k++) values[k] = f32(view.getInt16(offset + 2 * k, true) * scale);
    tensors[name] = values;
    offset += 2 * count;
  });
  if (offset !== bytes.length - 4) throw new Error("the web weights file has bytes after its weights");
  return {
    tensors,
    views: header.views.transforms || [],
    temperature: header.views.temperature ?? 1.0,
    fingerprint: header.fingerprint,
    labels: header.labels,
    merged: header.merged,
    memory: header.memory,
  };
}

const loaded = new Map();

/** The model at ``url``, fetched within ``timeoutMs`` once per page: a pad mounted again (a tab shown again, the
 * network gone meanwhile) gets the same model without another download. */
export function loadModel(url, timeoutMs = 10000) {
  if (!loaded.has(url)) {
    const model = fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
      .then((response) => {
        if (!response.ok) throw new Error(`the web weights file answered ${response.status}`);
        return response.arrayBuffer();
      })
      .then(parseModel);
    loaded.set(url, model);
    model.catch(() => loaded.delete(url));  // a failed download is tried again next time
  }
  return loaded.get(url);
}

// ---- strokes, as model.strokes.Strokes.parse checks them ---------------------------------------------------------

/** The pad's value -> {width, height, brush, strokes: [[x0, y0, x1, y1, ...] as float32]}; throws on bad input. */
export function parseStrokes(value, brushShare) {
  if (!value || typeof value !== "object") throw new Error("strokes must be an object");
  const side = (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 1 || n > MAX_SIDE) throw new Error("bad canvas size");
    return n;
  };
  const width = side(value.width), height = side(value.height);
  const raw = value.strokes;
  if (!Array.isArray(raw) || raw.length > MAX_STROKES) throw new Error("bad strokes");
  let total = 0;
  for (const s of raw) total += Array.isArray(s) ? s.length : 0;
  if (total > MAX_POINTS) throw new Error("too many points");
  const brush = value.brush == null ? brushShare * Math.min(width, height) : Number(value.brush);
  if (!(brush > 0 && brush <= Math.max(width, height))) throw new Error("bad brush");
  const strokes = [];
  for (const s of raw) {
    if (!Array.isArray(s)) throw new Error("bad stroke");
    if (!s.length) continue;
    const points = new Float32Array(2 * s.length);
    s.forEach((p, k) => {
      const x = Number(p[0]), y = Number(p[1]);
      if (!Array.isArray(p) || p.length !== 2 || !Number.isFinite(x) || !Number.isFinite(y)) throw new Error("bad point");
      if (x < -OUTSIDE_SHARE * width || x > (1 + OUTSIDE_SHARE) * width) throw new Error("point outside the canvas");
      if (y < -OUTSIDE_SHARE * height || y > (1 + OUTSIDE_SHARE) * height) throw new Error("point outside the canvas");
      points[2 * k] = Math.min(Math.max(x, 0), width);
      points[2 * k + 1] = Math.min(Math.max(y, 0), height);
    });
    strokes.push(points);
  }
  return { width, height, brush, strokes };
}

// ---- Pillow's drawing, as model.strokes.render uses it on an "L" image -----------------------------------------

function roundUp(f) { return f >= 0 ? Math.floor(f + 0.5) : -Math.floor(Math.abs(f) + 0.5); }
function roundDown(f) { return f >= 0 ? Math.ceil(f - 0.5) : -Math.ceil(Math.abs(f) - 0.5); }
function roundUpF(f) { return f >= 0 ? Math.floor(f32(f + 0.5)) : -Math.floor(f32(Math.abs(f) + 0.5)); }
function roundDownF(f) { return f >= 0 ? Math.ceil(f32(f - 0.5)) : -Math.ceil(f32(Math.abs(f) - 0.5)); }
function roundf(f) { return f >= 0 ? Math.floor(f + 0.5) : -Math.floor(-f + 0.5); }

class Canvas8 {
  constructor(width, height) { this.width = width; this.height = height; this.data = new Uint8Array(width * height); }
  hline(x0, y, x1) {
    if (y < 0 || y >= this.height) return;
    if (x0 < 0) x0 = 0; else if (x0 >= this.width) return;
    if (x1 < 0) return; else if (x1 >= this.width) x1 = this.width - 1;
    if (x0 <= x1) this.data.fill(255, y * this.width + x0, y * this.width + x1 + 1);
  }
  point(x, y) { if (x >= 0 && x < this.width && y >= 0 && y < this.height) this.data[y * this.width + x] = 255; }
}

function edge(x0, y0, x1, y1) {
  const e = { x0, y0, xmin: Math.min(x0, x1), xmax: Math.max(x0, x1), ymin: Math.min(y0, y1), ymax: Math.max(y0, y1) };
  e.dx = y0 === y1 ? 0 : f32(f32(x1 - x0) / (y1 - y0));
  return e;
}

function polygon(canvas, edges) {
  let ymin = canvas.height - 1, ymax = 0;
  const table = [];
  for (const e of edges) {
    if (ymin > e.ymin) ymin = e.ymin;
    if (ymax < e.ymax) ymax = e.ymax;
    if (e.ymin === e.ymax) { canvas.hline(e.xmin, e.ymin, e.xmax); continue; }
    table.push(e);
  }
  if (ymin < 0) ymin = 0;
  if (ymax > canvas.height) ymax = canvas.height;
  const at = (e, y) => f32(f32((y - e.y0) * e.dx) + e.x0);
  for (; ymin <= ymax; ymin++) {
    const xx = [];
    for (let i = 0; i < table.length; i++) {
      const current = table[i];
      if (!(ymin >= current.ymin && ymin <= current.ymax)) continue;
      xx.push(at(current, ymin));
      if (ymin === current.ymax && ymin < ymax) {
        xx.push(xx[xx.length - 1]);
      } else if ((ymin === current.ymin || ymin === current.ymax) && current.dx !== 0) {
        for (let k = 0; k < i; k++) {
          const other = table[k];
          if ((ymin !== other.ymin && ymin !== other.ymax) || other.dx === 0) continue;
          if (roundf(xx[xx.length - 1]) === roundf(at(other, ymin))) {
            const offset = ymin === current.ymax ? -1 : 1;
            const adjacent = at(current, ymin + offset);
            if (ymin + offset >= other.ymin && ymin + offset <= other.ymax) {
              const adjacentOther = at(other, ymin + offset);
              const last = xx[xx.length - 1];
              if (last > adjacent + 1 && last > adjacentOther + 1) {
                xx[xx.length - 1] = f32(roundf(Math.max(adjacent, adjacentOther)) + 1);
              } else if (last < adjacent - 1 && last < adjacentOther - 1) {
                xx[xx.length - 1] = f32(roundf(Math.min(adjacent, adjacentOther)) - 1);
              }
              break;
            }
          }
        }
      }
    }
    xx.sort((a, b) => a - b);
    for (let i = 1; i < xx.length; i += 2) canvas.hline(roundUpF(xx[i - 1]), ymin, roundDownF(xx[i]));
  }
}

function wideLine(canvas, x0, y0, x1, y1, width) {
  const dx = x1 - x0, dy = y1 - y0;
  if (dx === 0 && dy === 0) { canvas.point(x0, y0); return; }
  const big = Math.hypot(dx, dy), small = (width - 1) / 2.0;
  const ratioMax = roundUp(small) / big, ratioMin = roundDown(small) / big;
  const dxmin = roundDown(ratioMin * dy), dxmax = roundDown(ratioMax * dy);
  const dymin = roundDown(ratioMin * dx), dymax = roundDown(ratioMax * dx);
  const v = [[x0 - dxmin, y0 + dymax], [x1 - dxmin, y1 + dymax], [x1 + dxmax, y1 - dymin], [x0 + dxmax, y0 - dymin]];
  polygon(canvas, [0, 1, 2, 3].map((i) => edge(v[i][0], v[i][1], v[(i + 1) % 4][0], v[(i + 1) % 4][1])));
}

function quarter(a, b) {
  return { a, b, cx: a, cy: b % 2, ex: a % 2, ey: b, a2: a * a, b2: b * b, a2b2: a * a * b * b, finished: a < 0 || b < 0 };
}
function quarterNext(s) {
  if (s.finished) return null;
  const out = [s.cx, s.cy];
  if (s.cx === s.ex && s.cy === s.ey) {
    s.finished = true;
  } else {
    const delta = (x, y) => Math.abs(s.a2 * y * y + s.b2 * x * x - s.a2b2);
    let nx = s.cx, ny = s.cy + 2, nd = delta(nx, ny);
    if (nx > 1) {
      let d = delta(s.cx - 2, s.cy + 2);
      if (nd > d) { nx = s.cx - 2; ny = s.cy + 2; nd = d; }
      d = delta(s.cx - 2, s.cy);
      if (nd > d) { nx = s.cx - 2; ny = s.cy; }
    }
    s.cx = nx; s.cy = ny;
  }
  return out;
}

function filledEllipse(canvas, x0, y0, x1, y1) {
  const a = x1 - x0, b = y1 - y0;
  if (a < 0 || b < 0) return;
  const w = a + b;
  const outer = quarter(a, b);
  let first = quarterNext(outer);
  if (w < 1 || first === null) return;
  let [pr, py] = first;
  const inner = quarter(a - 2 * (w - 1), b - 2 * (w - 1));
  const leftmost = a % 2;
  let pl = leftmost, finished = false;
  const rows = [];
  while (!finished) {
    const y = py, r = pr;
    let l = pl, next;
    while ((next = quarterNext(outer)) !== null && next[1] <= y) { /* skip */ }
    if (next === null) finished = true; else { pr = next[0]; py = next[1]; }
    while ((next = quarterNext(inner)) !== null && next[1] <= y) l = next[0];
    pl = next === null ? leftmost : next[0];
    if ((l > 0 || l < r) && y > 0) rows.push([l === 0 ? 2 : l, y, r]);
    if (y > 0) rows.push([-r, y, -l]);
    if (l > 0 || l < r) rows.push([l === 0 ? 2 : l, -y, r]);
    rows.push([-r, -y, -l]);
  }
  const half = (v) => Math.trunc(v / 2);
  for (const [X0, Y, X1] of rows) canvas.hline(x0 + half(X0 + a), y0 + half(Y + b), x0 + half(X1 + a));
}

// ---- model.preprocess.finish: SciPy's Gaussian, Pillow's bicubic halving, the 28x28 frame --------------------

function gaussian(work, width, height) {
  const sigma = (NIST_SIGMA * 2 * GLYPH_SPAN) / NIST_SIDE;
  const radius = Math.trunc(3.0 * sigma + 0.5);
  const weights = [];
  for (let x = -radius; x <= radius; x++) weights.push(Math.exp((-0.5 / (sigma * sigma)) * x * x));
  const sum = weights.reduce((p, q) => p + q, 0);
  const w = weights.map((v) => v / sum);
  const reflect = (i, n) => {
    while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
    return i;
  };
  const pass = (src, along, lines, n, stride, step) => {
    const out = new Float32Array(src.length);
    for (let line = 0; line < lines; line++) {
      for (let i = 0; i < n; i++) {
        let t = src[line * stride + i * step] * w[radius];
        for (let k = 1; k <= radius; k++) {
          t += (src[line * stride + reflect(i - k, n) * step] + src[line * stride + reflect(i + k, n) * step]) * w[radius + k];
        }
        out[line * stride + i * step] = t;
      }
    }
    return out;
  };
  const rows = pass(work, 0, width, height, 1, width);
  return pass(rows, 1, height, width, width, 1);
}

function bicubic(x) {
  const a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

function coefficients(inSize, outSize) {
  let scale = inSize / outSize, filterscale = scale < 1 ? 1 : scale;
  const support = 2.0 * filterscale, inv = 1.0 / filterscale;
  const bounds = [], kernels = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const k = [];
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) { const v = bicubic((x + xmin - center + 0.5) * inv); k.push(v); ww += v; }
    bounds.push([xmin, xmax]);
    kernels.push(ww !== 0.0 ? k.map((v) => v / ww) : k);
  }
  return { bounds, kernels };
}

function resize(src, inW, inH, outW, outH) {
  const vertical = coefficients(inH, outH);
  const first = vertical.bounds[0][0];
  const last = vertical.bounds[outH - 1][0] + vertical.bounds[outH - 1][1];
  const horizontal = coefficients(inW, outW);
  const rows = last - first;
  const temp = new Float32Array(outW * rows);
  for (let y = 0; y < rows; y++) {
    for (let xx = 0; xx < outW; xx++) {
      const [xmin, count] = horizontal.bounds[xx], k = horizontal.kernels[xx];
      let ss = 0.0;
      for (let x = 0; x < count; x++) ss += src[(y + first) * inW + x + xmin] * k[x];
      temp[y * outW + xx] = ss;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let yy = 0; yy < outH; yy++) {
    const [ymin, count] = vertical.bounds[yy], k = vertical.kernels[yy];
    for (let xx = 0; xx < outW; xx++) {
      let ss = 0.0;
      for (let y = 0; y < count; y++) ss += temp[(y + ymin - first) * outW + xx] * k[y];
      out[yy * outW + xx] = ss;
    }
  }
  return out;
}

function finish(work, newW, newH) {
  const workW = 2 * newW + 2 * WORK_PAD, workH = 2 * newH + 2 * WORK_PAD;
  const blurred = gaussian(work, workW, workH);
  const gw = newW + 2 * MARGIN, gh = newH + 2 * MARGIN;
  const glyph = resize(blurred, workW, workH, gw, gh);
  const side = SIZE + 2 * MARGIN;
  const canvas = new Float32Array(side * side);
  const top = Math.floor((SIZE - newH) / 2), left = Math.floor((SIZE - newW) / 2);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) canvas[(top + y) * side + left + x] = Math.max(glyph[y * gw + x], 0);
  }
  const out = new Float32Array(SIZE * SIZE);
  let peak = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      out[y * SIZE + x] = canvas[(y + MARGIN) * side + x + MARGIN];
      peak = Math.max(peak, out[y * SIZE + x]);
    }
  }
  if (peak > 0) for (let i = 0; i < out.length; i++) out[i] = f32(out[i] / peak);
  return out;
}

function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** model.strokes.render: the strokes drawn into the upright 28x28 (row-major), and the brush at that scale. */
export function render(drawing) {
  if (!drawing.strokes.length) throw new Error("nothing is drawn");
  let lowX = Infinity, lowY = Infinity, highX = -Infinity, highY = -Infinity;
  for (const s of drawing.strokes) {
    for (let k = 0; k < s.length; k += 2) {
      lowX = Math.min(lowX, s[k]); highX = Math.max(highX, s[k]);
      lowY = Math.min(lowY, s[k + 1]); highY = Math.max(highY, s[k + 1]);
    }
  }
  const extent = [f32(highX - lowX), f32(highY - lowY)];
  const side = Math.max(Math.max(extent[0], extent[1]), drawing.brush);
  const scale = (GLYPH_SPAN - STROKE_WIDTH) / side;
  const outer = extent.map((e) => f32(f32(e * f32(scale)) + STROKE_WIDTH));
  const [newW, newH] = outer.map((v) => Math.max(1, roundHalfEven(v)));
  const offset = [WORK_PAD + (newW - outer[0]) + STROKE_WIDTH, WORK_PAD + (newH - outer[1]) + STROKE_WIDTH];
  const fine = f32(scale * 2 * SUPERSAMPLE);
  const canvas = new Canvas8((2 * newW + 2 * WORK_PAD) * SUPERSAMPLE, (2 * newH + 2 * WORK_PAD) * SUPERSAMPLE);
  const width = Math.round(2 * STROKE_WIDTH * SUPERSAMPLE), radius = (2 * STROKE_WIDTH * SUPERSAMPLE) / 2;
  const cosTurn = Math.cos(JOIN_TURN * (Math.PI / 180));
  for (const s of drawing.strokes) {
    const n = s.length / 2, xs = new Float64Array(n), ys = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      xs[k] = f32(f32(s[2 * k] - lowX) * fine) + offset[0] * SUPERSAMPLE;
      ys[k] = f32(f32(s[2 * k + 1] - lowY) * fine) + offset[1] * SUPERSAMPLE;
    }
    for (let k = 0; k + 1 < n; k++) {
      wideLine(canvas, Math.trunc(xs[k]), Math.trunc(ys[k]), Math.trunc(xs[k + 1]), Math.trunc(ys[k + 1]), width);
    }
    const discs = [0];
    for (let k = 1; k + 1 < n; k++) {
      const ax = xs[k] - xs[k - 1], ay = ys[k] - ys[k - 1], bx = xs[k + 1] - xs[k], by = ys[k + 1] - ys[k];
      const la = Math.sqrt(ax * ax + ay * ay), lb = Math.sqrt(bx * bx + by * by);
      const cos = (ax * bx + ay * by) / Math.max(la * lb, 1e-12);
      if (cos < cosTurn || la === 0 || lb === 0) discs.push(k);
    }
    discs.push(n - 1);
    for (const k of discs) {
      const t = Math.trunc;
      filledEllipse(canvas, t(xs[k] - radius), t(ys[k] - radius), t(xs[k] + radius), t(ys[k] + radius));
    }
  }
  const workW = canvas.width / SUPERSAMPLE, workH = canvas.height / SUPERSAMPLE;
  const work = new Float32Array(workW * workH);
  const unit = f32(1 / 255);
  for (let y = 0; y < workH; y++) {
    for (let x = 0; x < workW; x++) {
      let sum = 0;
      for (let dy = 0; dy < SUPERSAMPLE; dy++) {
        for (let dx = 0; dx < SUPERSAMPLE; dx++) sum += canvas.data[(y * SUPERSAMPLE + dy) * canvas.width + x * SUPERSAMPLE + dx];
      }
      work[y * workW + x] = f32(((sum + 8) >> 4) * unit);
    }
  }
  return { glyph: finish(work, newW, newH), drawnStrokeWidth: drawing.brush * scale };
}

// ---- the network, its views, the person's classes and memory ----------------------------------------------------

function transposed(glyph) {
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) out[x * SIZE + y] = glyph[y * SIZE + x];
  return out;
}

function transformed(image, [rotation, zoom, dy, dx]) {
  const angle = rotation * (Math.PI / 180);
  const m = [Math.cos(angle) / zoom, -Math.sin(angle) / zoom, Math.sin(angle) / zoom, Math.cos(angle) / zoom];
  const c = (SIZE - 1) / 2;
  const offset = [c - (m[0] * c + m[1] * c) - dy, c - (m[2] * c + m[3] * c) - dx];
  const out = new Float32Array(SIZE * SIZE);
  for (let r = 0; r < SIZE; r++) {
    for (let q = 0; q < SIZE; q++) {
      const y = m[0] * r + m[1] * q + offset[0], x = m[2] * r + m[3] * q + offset[1];
      if (y < 0 || x < 0 || y > SIZE - 1 || x > SIZE - 1) continue;
      const y0 = Math.floor(y), x0 = Math.floor(x), y1 = Math.min(y0 + 1, SIZE - 1), x1 = Math.min(x0 + 1, SIZE - 1);
      const fy = y - y0, fx = x - x0;
      out[r * SIZE + q] =
        (1 - fy) * ((1 - fx) * image[y0 * SIZE + x0] + fx * image[y0 * SIZE + x1]) +
        fy * ((1 - fx) * image[y1 * SIZE + x0] + fx * image[y1 * SIZE + x1]);
    }
  }
  return out;
}

/** One EMNIST-oriented 28x28 -> {probabilities (47), features (84)}. */
export function forward(t, x) {
  const k1 = t["conv1/kernel"], b1 = t["conv1/bias"], k2 = t["conv2/kernel"], b2 = t["conv2/bias"];
  const pool1 = new Float64Array(14 * 14 * 6);
  for (let y = 0; y < 28; y++) {
    for (let xx = 0; xx < 28; xx++) {
      for (let c = 0; c < 6; c++) {
        let s = b1[c];
        for (let i = 0; i < 5; i++) {
          const yy = y + i - 2;
          if (yy < 0 || yy >= 28) continue;
          for (let j = 0; j < 5; j++) {
            const xj = xx + j - 2;
            if (xj < 0 || xj >= 28) continue;
            s += x[yy * 28 + xj] * k1[(i * 5 + j) * 6 + c];
          }
        }
        pool1[((y >> 1) * 14 + (xx >> 1)) * 6 + c] += Math.max(s, 0) / 4;
      }
    }
  }
  const pool2 = new Float64Array(5 * 5 * 16);
  for (let y = 0; y < 10; y++) {
    for (let xx = 0; xx < 10; xx++) {
      for (let d = 0; d < 16; d++) {
        let s = b2[d];
        for (let i = 0; i < 5; i++) {
          for (let j = 0; j < 5; j++) {
            const base = ((y + i) * 14 + xx + j) * 6, kb = (i * 5 + j) * 96 + d;
            for (let c = 0; c < 6; c++) s += pool1[base + c] * k2[kb + c * 16];
          }
        }
        pool2[((y >> 1) * 5 + (xx >> 1)) * 16 + d] += Math.max(s, 0) / 4;
      }
    }
  }
  const dense = (input, kernel, bias, outs, relu) => {
    const out = new Float64Array(outs);
    for (let o = 0; o < outs; o++) out[o] = bias[o];
    for (let i = 0; i < input.length; i++) {
      const v = input[i];
      if (v === 0) continue;
      for (let o = 0; o < outs; o++) out[o] += v * kernel[i * outs + o];
    }
    if (relu) for (let o = 0; o < outs; o++) out[o] = Math.max(out[o], 0);
    return out;
  };
  const h1 = dense(pool2, t["fc1/kernel"], t["fc1/bias"], 120, true);
  const features = dense(h1, t["fc2/kernel"], t["fc2/bias"], 84, true);
  const z = dense(features, t["predictions/kernel"], t["predictions/bias"], 47, false);
  const top = Math.max(...z);
  let sum = 0;
  for (let o = 0; o < 47; o++) { z[o] = Math.exp(z[o] - top); sum += z[o]; }
  for (let o = 0; o < 47; o++) z[o] /= sum;
  return { probabilities: z, features };
}

/** The classes of an ``allowed`` string (model.labels.allowed_mask), or null for all. */
export function allowedMask(model, allowed) {
  if (!allowed) return null;
  const mask = new Array(model.labels.length).fill(false);
  for (const ch of allowed) {
    if (/\s/.test(ch)) continue;
    const at = model.labels.indexOf(model.merged.includes(ch) ? ch.toUpperCase() : ch);
    if (at < 0) throw new Error(`${ch} is not one of the classes`);
    mask[at] = true;
  }
  return mask;
}

function unit(v) {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.max(Math.sqrt(n), 1e-6);
  return Array.from(v, (x) => x / n);
}

/** A memory's examples (the JSON model.memory writes) as [class, unit features]; [] for none or another model's. */
export function memoryExamples(model, memory) {
  if (!memory || !Array.isArray(memory.examples) || !memory.examples.length) return [];
  if (memory.model !== model.fingerprint) return [];
  return memory.examples.map((e) => {
    const bytes = Uint8Array.from(atob(e.features), (c) => c.charCodeAt(0));
    return [model.labels.indexOf(e.label), unit(Array.from(bytes, (b) => b / 255))];
  });
}

/** The served answer for a drawing: {probabilities, features, glyph (upright)}, as Classifier.predict_strokes. */
export function predictStrokes(model, value, { allowed = null, memory = null, brushShare = 0.05 } = {}) {
  const { glyph } = render(parseStrokes(value, brushShare));
  const base = transposed(glyph);
  const views = [base, ...model.views.map((t) => transformed(base, t))];
  const mean = new Float64Array(47);
  let features = null;
  views.forEach((v, i) => {
    const out = forward(model.tensors, v);
    if (i === 0) features = out.features;
    for (let o = 0; o < 47; o++) mean[o] += f32(out.probabilities[o]);
  });
  let p = Array.from(mean, (v) => f32(v / views.length));
  if (model.views.length) {
    const logits = p.map((v) => Math.log(Math.min(Math.max(v, 1e-30), 1)) / model.temperature);
    const top = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - top));
    const s = e.reduce((a, b) => a + b, 0);
    p = e.map((v) => v / s);
  }
  const mask = allowedMask(model, allowed);
  const examples = memoryExamples(model, memory);
  let logits = p.map((v) => Math.log(Math.min(Math.max(v, 1e-30), 1)));
  if (examples.length) {
    const f = unit(features);
    const bonus = new Array(47).fill(0);
    for (const [cls, remembered] of examples) {
      let cos = 0;
      for (let i = 0; i < f.length; i++) cos += f[i] * remembered[i];
      const closeness = Math.max((cos - model.memory.similar) / (1 - model.memory.similar), 0);
      bonus[cls] = Math.max(bonus[cls], closeness);
    }
    if (bonus.some((b) => b > 0)) logits = logits.map((v, i) => v + model.memory.strength * bonus[i]);
    else logits = null;
  } else {
    logits = null;
  }
  if (logits) {
    if (mask) logits = logits.map((v, i) => (mask[i] ? v : -Infinity));
    const top = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - top));
    const s = e.reduce((a, b) => a + b, 0);
    p = e.map((v) => v / s);
  } else if (mask) {
    const kept = p.map((v, i) => (mask[i] ? v : 0));
    const total = kept.reduce((a, b) => a + b, 0);
    p = kept.map((v) => v / (total > 0 ? total : 1));
  }
  return { probabilities: p, features, glyph };
}
