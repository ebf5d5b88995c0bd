// A time-series chart in plain SVG: time axis, value axis, one line per device, dashed threshold lines,
// drag (mouse or finger) to select a range to zoom into.
import { esc } from './api.js';

const COLORS = ['#1f6fb2', '#d9711c', '#2e9d46', '#8e44ad', '#c0392b', '#16a085'];
const W = 640, H = 260, L = 52, R = 12, T = 12, B = 28;

export function drawChart(container, data, { from, to, onZoom }) {
  const lines = data.series.filter((s) => s.points.length);
  const n = lines.reduce((a, s) => a + s.points.length, 0);
  let lo = Infinity, hi = -Infinity;
  for (const s of lines) for (const [, v] of s.points) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!n) { lo = 0; hi = 1; }
  const limits = data.thresholds.filter((t) => !t.label.startsWith('plausible') || (t.value >= lo - (hi - lo) * 0.5 && t.value <= hi + (hi - lo) * 0.5));
  for (const t of limits) { lo = Math.min(lo, t.value); hi = Math.max(hi, t.value); }
  if (hi === lo) { hi += 1; lo -= 1; }
  const pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
  const x = (t) => L + ((t - from) / (to - from)) * (W - L - R);
  const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  let svg = `<svg class="chart" viewBox="0 0 ${W} ${H}" data-points="${n}" data-quantity="${esc(data.quantity)}" role="img" aria-label="${esc(data.quantity)} chart">`;
  for (const v of ticks(lo, hi, 5)) {
    svg += `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}"/><text x="${L - 4}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`;
  }
  for (const t of timeTicks(from, to, 5)) {
    svg += `<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${T}" y2="${H - B}"/><text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${timeLabel(t, to - from)}</text>`;
  }
  svg += `<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/><line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>`;
  for (const t of limits) {
    svg += `<line class="threshold" x1="${L}" x2="${W - R}" y1="${y(t.value)}" y2="${y(t.value)}"/><text class="threshold-label" x="${W - R - 2}" y="${y(t.value) - 3}" text-anchor="end">${esc(t.label)} ${fmt(t.value)}</text>`;
  }
  lines.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const d = s.points.map(([t, v], j) => `${j ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    svg += `<path class="line" stroke="${c}" d="${d}"><title>${esc(s.device)}</title></path>`;
    if (s.points.length <= 120) for (const [t, v] of s.points) svg += `<circle class="pt" cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2" fill="${c}"><title>${new Date(t * 1000).toISOString()} ${fmt(v)}</title></circle>`;
  });
  if (!n) svg += `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data in this range</text>`;
  svg += `<rect class="sel" x="0" y="${T}" width="0" height="${H - T - B}"/></svg>`;
  container.innerHTML = svg;
  const el = container.querySelector('svg'), sel = el.querySelector('rect.sel');
  const toX = (ev) => { const r = el.getBoundingClientRect(); return ((ev.clientX - r.left) / r.width) * W; };
  let start = null;
  el.addEventListener('pointerdown', (ev) => { start = toX(ev); el.setPointerCapture(ev.pointerId); });
  el.addEventListener('pointermove', (ev) => {
    if (start == null) return;
    const a = Math.min(start, toX(ev)), b = Math.max(start, toX(ev));
    sel.setAttribute('x', a); sel.setAttribute('width', b - a);
  });
  el.addEventListener('pointerup', (ev) => {
    if (start == null) return;
    const a = Math.max(L, Math.min(start, toX(ev))), b = Math.min(W - R, Math.max(start, toX(ev)));
    start = null; sel.setAttribute('width', 0);
    if (b - a < 8) return;
    const t = (px) => Math.round(from + ((px - L) / (W - L - R)) * (to - from));
    onZoom(t(a), t(b));
  });
}

function ticks(lo, hi, n) {
  const step = nice((hi - lo) / n), out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(+v.toFixed(10));
  return out;
}

function nice(x) {
  const e = Math.pow(10, Math.floor(Math.log10(x))), f = x / e;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * e;
}

function timeTicks(from, to, n) {
  const steps = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];
  const step = steps.find((s) => (to - from) / s <= n) || 2592000, out = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

function timeLabel(t, span) {
  const d = new Date(t * 1000), p = (v) => String(v).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`, md = `${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return span <= 86400 ? hm : span <= 7 * 86400 ? `${md} ${hm}` : md;
}

export function fmt(v) {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}
