// One chart of one quantity on uPlot (vendored, see dashboard-vendor/): a line per device (or bars, for
// amounts per window such as rainfall), the rule limits as shaded bands, flagged readings as marks,
// a time axis in the viewer's zone with dates, the unit on the value axis, a legend per device, and
// drag-to-zoom (the caller reloads the narrower range at a finer window).
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { esc } from './api.js';
import { t, zone, zoneId, zoneLabel, zoned, dateTime } from './i18n.js';

const COLORS = ['#1f6fb2', '#d9711c', '#2e9d46', '#8e44ad', '#c0392b', '#16a085'];
const BAND = { critical: ['rgba(209,52,47,.13)', '#d1342f'], warning: ['rgba(224,161,0,.16)', '#b07d00'], info: ['rgba(31,111,178,.10)', '#1f6fb2'], plausible: ['rgba(0,0,0,0)', '#8a8f98'] };

// spec: { quantity, title, unit, from, to (Unix s), series: [{ label, points: [[t, v]] }],
//         limits: [{ value, side: 'above'|'below'|'line', label, severity }], flagged: [{ t, v, words }],
//         kind: 'line'|'bars', onZoom(from, to) }
export function drawChart(box, spec) {
  box.querySelector('.u-wrap')?.remove();
  box._plot?.destroy();
  const lines = spec.series.filter((s) => s.points.length);
  const n = lines.reduce((a, s) => a + s.points.length, 0);
  const flagged = spec.flagged || [];
  // one x array for every series: the union of their times (windows line up across devices)
  const xs = [...new Set([...lines.flatMap((s) => s.points.map((p) => p[0])), ...flagged.map((f) => f.t)])].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const column = (pairs) => { const c = new Array(xs.length).fill(null); for (const [x, v] of pairs) c[at.get(x)] = v; return c; };
  const data = [xs, ...lines.map((s) => column(s.points)), ...(flagged.length ? [column(flagged.map((f) => [f.t, f.v]))] : [])];

  let lo = Infinity, hi = -Infinity;
  for (const s of lines) for (const [, v] of s.points) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!n) { lo = 0; hi = 1; }
  const near = (v) => v >= lo - (hi - lo || 1) * 0.6 && v <= hi + (hi - lo || 1) * 0.6;
  const limits = (spec.limits || []).filter((l) => l.severity !== 'plausible' || near(l.value));
  for (const l of limits) { lo = Math.min(lo, l.value); hi = Math.max(hi, l.value); }
  if (spec.kind === 'bars') lo = Math.min(lo, 0);
  if (hi === lo) { hi += 1; lo -= 1; }
  const pad = (hi - lo) * 0.08;

  const tz = zone() === 'local' ? (s) => new Date(s * 1000) : (s) => uPlot.tzDate(new Date(s * 1000), zoneId());
  const span = spec.to - spec.from;
  const xLabel = `${t('time')} (${zoneLabel(spec.to * 1000)})`;
  const series = [{ label: t('time'), value: (u, v) => (v == null ? '–' : dateTime(v * 1000)) }];
  lines.forEach((s, i) => series.push({
    label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
    fill: spec.kind === 'bars' ? COLORS[i % COLORS.length] + '99' : undefined,
    paths: spec.kind === 'bars' ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined,
    points: { show: (u, si, i0, i1) => n / lines.length <= 120 || i1 - i0 < 120, size: 4 },
    value: (u, v) => (v == null ? '–' : `${fmt(v)} ${spec.unit}`),
  }));
  if (flagged.length) {
    series.push({
      label: `⚑ ${t('flagged')}`, stroke: '#d1342f', fill: '#fff', width: 0, paths: () => null,
      points: { show: true, size: 9, width: 2, stroke: '#d1342f', fill: '#fff' },
      value: (u, v, si, i) => (i == null || v == null ? '–' : `${fmt(v)} · ${flagged.find((f) => f.t === xs[i])?.words.join(', ') || ''}`),
    });
  }

  const wrap = document.createElement('div');
  wrap.className = 'u-wrap';
  box.append(wrap);
  const width = () => Math.max(240, box.clientWidth);
  const opts = {
    width: width(), height: 240, tzDate: tz, pxAlign: 0,
    scales: { x: { time: true, range: () => [spec.from, spec.to] }, y: { range: () => [lo - pad, hi + pad] } },
    series,
    axes: [
      { label: xLabel, labelSize: 18, space: 70, values: (u, splits) => timeLabels(splits, span) , gap: 4, size: 52 },
      { label: spec.unit, labelSize: 18, size: 52, values: (u, splits) => valueLabels(splits) },
    ],
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    hooks: {
      drawClear: [(u) => drawLimits(u, limits, false)],
      draw: [(u) => drawLimits(u, limits, true), (u) => { if (!n) emptyNote(u); }],
      setSelect: [(u) => {
        const { left, width: w } = u.select;
        if (w < 8) return;
        const a = Math.round(u.posToVal(left, 'x')), b = Math.round(u.posToVal(left + w, 'x'));
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
        spec.onZoom?.(a, b);
      }],
    },
  };
  const plot = new uPlot(opts, data, wrap);
  box._plot = plot;
  box.dataset.points = n;
  box.dataset.unit = spec.unit;
  box.dataset.zone = zoneLabel(spec.to * 1000);
  box.dataset.flagged = flagged.length;
  box._resize?.disconnect();
  box._resize = new ResizeObserver(() => { if (Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: 240 }); });
  box._resize.observe(box);
  return plot;
}

// limits as bands (under the lines) and dashed lines with their label (over them)
function drawLimits(u, limits, over) {
  const ctx = u.ctx, { left, top, width, height } = u.bbox, r = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath(); ctx.rect(left, top, width, height); ctx.clip();
  const labelled = []; // label heights already used: a label that would overprint one is left to the list under the chart
  for (const l of limits) {
    const y = u.valToPos(l.value, 'y', true);
    const [fill, stroke] = BAND[l.severity] || BAND.warning;
    if (!over) {
      ctx.fillStyle = fill;
      if (l.side === 'above') ctx.fillRect(left, top, width, Math.max(0, y - top));
      else if (l.side === 'below') ctx.fillRect(left, y, width, Math.max(0, top + height - y));
      continue;
    }
    ctx.strokeStyle = stroke; ctx.lineWidth = r; ctx.setLineDash([5 * r, 4 * r]);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = stroke; ctx.font = `${11 * r}px system-ui, sans-serif`; ctx.textAlign = 'right';
    // the label on the band's side of the line, unless that side is off the plot
    const under = l.side === 'below' ? y + 13 * r <= top + height - 2 * r : y - 15 * r < top;
    const at = under ? y + 13 * r : y - 4 * r;
    if (labelled.some((b) => Math.abs(b - at) < 12 * r)) continue;
    labelled.push(at);
    ctx.fillText(`${l.label} ${fmt(l.value)}`.slice(0, 48), left + width - 4 * r, at);
  }
  ctx.restore();
}

function emptyNote(u) {
  const { ctx } = u, { left, top, width, height } = u.bbox, r = devicePixelRatio || 1;
  ctx.save(); ctx.fillStyle = '#67707c'; ctx.font = `${13 * r}px system-ui, sans-serif`; ctx.textAlign = 'center';
  ctx.fillText(t('noData'), left + width / 2, top + height / 2); ctx.restore();
}

// time ticks: the time, with the date where the day changes (and on the first tick)
export function timeLabels(splits, span) {
  let day = null;
  return splits.map((s) => {
    const p = zoned(s * 1000), d = `${p.month}-${p.day}`, hm = `${p.hour}:${p.minute}`;
    const show = d !== day; day = d;
    if (span > 3 * 86400 && hm === '00:00') return d;
    return show ? `${hm}\n${d}` : hm;
  });
}

// value ticks with just enough decimals that neighbours differ (no "1.11 1.11 1.12")
export function valueLabels(splits) {
  for (let dec = 0; dec <= 6; dec++) {
    const out = splits.map((v) => v.toFixed(dec));
    if (new Set(out).size === out.length) return out;
  }
  return splits.map(String);
}

export function fmt(v) {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

// the limit list under a chart, in words (the bands carry colour; this carries the numbers)
export function limitList(limits, unit) {
  const shown = limits.filter((l) => l.severity !== 'plausible');
  if (!shown.length) return '';
  return `<ul class="limits">${shown.map((l) => `<li class="limit ${esc(l.severity)}"><span class="swatch"></span>${esc(l.side === 'above' ? t('above') : l.side === 'below' ? t('below') : t('limit'))} ${esc(fmt(l.value))} ${esc(unit)} · ${esc(l.label)}</li>`).join('')}</ul>`;
}
