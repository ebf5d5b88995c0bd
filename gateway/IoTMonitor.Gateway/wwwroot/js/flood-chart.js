// A watched site's flash-flood chart on uPlot: the rain of each interval as bars (a hyetograph, summed
// from the gateway's exact rain increments) on the left axis in mm, the water level as a line on the
// right axis in m, and the site's two warning water levels as dashed lines with a band above each
// (amber: prepare to evacuate, red: evacuate immediately).
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { t, zone, zoneId, zoneLabel, dateTime } from './i18n.js';
import { fmt, timeLabels, valueLabels } from './chart.js';

const RAIN = '#1f6fb2', LEVEL = '#2e4a62';
const WARN = { prepare: ['rgba(224,161,0,.16)', '#b07d00'], immediate: ['rgba(209,52,47,.14)', '#d1342f'] };
// bar widths a person reads as rain intensity: the finest that keeps at most 150 bars in the range
const INTERVALS = [300, 600, 900, 1800, 3600, 10800, 21600, 86400];

export const intervalFor = (span) => INTERVALS.find((w) => span / w <= 150) || 86400;
export const intervalWord = (w) => (w % 86400 === 0 ? `${w / 86400} d` : w % 3600 === 0 ? `${w / 3600} h` : `${w / 60} min`);

// spec: { from, to, interval (s), increments: [{ t, millimetres }], levels: [{ label, points: [[t, m]] }],
//         warnings: [{ level: 'prepare'|'immediate', value (m) }] }
export function drawFloodChart(box, spec) {
  box.querySelector('.u-wrap')?.remove();
  box._plot?.destroy();
  const w = spec.interval;
  // rain of each interval [start, start + w), the bar drawn at the interval's middle
  const bins = new Map();
  for (const i of spec.increments) {
    const start = Math.floor(i.t / w) * w;
    bins.set(start, (bins.get(start) || 0) + i.millimetres);
  }
  const rainAt = new Map([...bins].map(([s, mm]) => [s + w / 2, Math.round(mm * 10) / 10]));
  const lines = spec.levels.filter((l) => l.points.length);
  const xs = [...new Set([...rainAt.keys(), ...lines.flatMap((l) => l.points.map((p) => p[0]))])].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const column = (pairs) => { const c = new Array(xs.length).fill(null); for (const [x, v] of pairs) c[at.get(x)] = v; return c; };
  const data = [xs, column([...rainAt]), ...lines.map((l) => column(l.points))];

  const maxRain = Math.max(0, ...rainAt.values());
  let lo = Infinity, hi = -Infinity;
  for (const l of lines) for (const [, v] of l.points) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  for (const x of spec.warnings) { lo = Math.min(lo, x.value); hi = Math.max(hi, x.value); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) { hi += 0.5; lo -= 0.5; }
  const pad = (hi - lo) * 0.1;

  const tz = zone() === 'local' ? (s) => new Date(s * 1000) : (s) => uPlot.tzDate(new Date(s * 1000), zoneId());
  const rainLabel = t('rainPer', intervalWord(w));
  const series = [
    { label: t('time'), value: (u, v) => (v == null ? '–' : dateTime(v * 1000)) },
    { label: rainLabel, scale: 'mm', stroke: RAIN, fill: RAIN + '99', width: 1, paths: uPlot.paths.bars({ size: [0.85, 60] }), points: { show: false }, value: (u, v) => (v == null ? '–' : `${v.toFixed(1)} mm`) },
    ...lines.map((l) => ({ label: `${t('waterLevel')} ${l.label}`, scale: 'm', stroke: LEVEL, width: 2, spanGaps: false, points: { show: l.points.length <= 120, size: 4 }, value: (u, v) => (v == null ? '–' : `${v.toFixed(3)} m`) })),
  ];
  const wrap = document.createElement('div');
  wrap.className = 'u-wrap';
  box.append(wrap);
  const width = () => Math.max(240, box.clientWidth);
  const plot = new uPlot({
    width: width(), height: 280, tzDate: tz, pxAlign: 0,
    scales: { x: { time: true, range: () => [spec.from, spec.to] }, mm: { range: () => [0, Math.max(1, maxRain * 1.15)] }, m: { range: () => [lo - pad, hi + pad] } },
    series,
    axes: [
      { label: `${t('time')} (${zoneLabel(spec.to * 1000)})`, labelSize: 18, space: 70, values: (u, splits) => timeLabels(splits, spec.to - spec.from), gap: 4, size: 44 },
      { scale: 'mm', label: `${t('rainfall')} (mm)`, labelSize: 18, size: 52, values: (u, splits) => valueLabels(splits) },
      { scale: 'm', side: 1, label: `${t('waterLevel')} (m)`, labelSize: 18, size: 60, grid: { show: false }, values: (u, splits) => valueLabels(splits) },
    ],
    legend: { show: true, live: true },
    cursor: { points: { size: 6 } },
    hooks: { drawClear: [(u) => warnings(u, spec.warnings, false)], draw: [(u) => warnings(u, spec.warnings, true)] },
  }, data, wrap);
  box._plot = plot;
  box.dataset.rainBars = [...rainAt.values()].filter((v) => v > 0).length;
  box.dataset.rainTotal = [...rainAt.values()].reduce((a, v) => a + v, 0).toFixed(1);
  box.dataset.levelPoints = lines.reduce((a, l) => a + l.points.length, 0);
  box.dataset.warnings = spec.warnings.map((x) => `${x.level}:${x.value}`).join(' ');
  box.dataset.axes = plot.axes.map((a) => a.label).join(' | '); // uPlot draws them on its canvas
  box._resize?.disconnect();
  box._resize = new ResizeObserver(() => { if (Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: 280 }); });
  box._resize.observe(box);
  return plot;
}

// each warning level: a band from it upwards under the data, a dashed line with its name over the data
function warnings(u, list, over) {
  const ctx = u.ctx, { left, top, width, height } = u.bbox, r = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath(); ctx.rect(left, top, width, height); ctx.clip();
  for (const x of list) {
    const y = u.valToPos(x.value, 'm', true);
    const [fill, stroke] = WARN[x.level];
    if (!over) { ctx.fillStyle = fill; ctx.fillRect(left, top, width, Math.max(0, y - top)); continue; }
    ctx.strokeStyle = stroke; ctx.lineWidth = 1.5 * r; ctx.setLineDash([6 * r, 4 * r]);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = stroke; ctx.font = `${11 * r}px system-ui, sans-serif`; ctx.textAlign = 'left';
    ctx.fillText(`${t('floodLine')[x.level]} ${fmt(x.value)} m`, left + 6 * r, y - 4 * r < top + 10 * r ? y + 13 * r : y - 4 * r);
  }
  ctx.restore();
}
