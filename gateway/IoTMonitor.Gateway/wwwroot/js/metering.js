// Water metering: a district's channels, each with its mean flow per period (m³/s, left axis) and its
// cumulative volume over the range (m³, right axis), the total with its completeness beside it and the
// use of each allocation that overlaps the range. Volumes come from the gateway's metering API
// (GET /metering/districts/{d}/volumes): exact across lost, late and repeated messages; a period the
// readings do not cover has no mean flow (a gap in the line), never a guessed one.
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { api, esc } from './api.js';
import { t, lang, zone, zoneId, zoneLabel, dateTime } from './i18n.js';
import { fmt, timeLabels, valueLabels } from './chart.js';

const FLOW = '#1f6fb2', VOLUME = '#2e9d46';
// flows of turnouts are often below 0.01 m³/s: three decimals (litres per second) under 10 m³/s
const flowFmt = (q) => (Math.abs(q) >= 10 ? q.toFixed(1) : q.toFixed(3));
const RANGES = { '24h': [86400, 'hour', 'last24h'], '7d': [7 * 86400, 'hour', 'last7d'], '30d': [30 * 86400, 'day', 'last30d'] };
let chosen = '24h';

export async function showMetering(app, districtId) {
  const districts = await api('/metering/districts');
  if (!districts.length) {
    app.innerHTML = `<div class="metering" data-lang="${lang()}"><h1>${esc(t('metering'))}</h1><p class="note">${esc(t('noDistricts'))}</p></div>`;
    return;
  }
  const district = districts.find((d) => d.id === districtId) || districts[0];
  const [span, period, word] = RANGES[chosen];
  const to = Math.floor(Date.now() / 1000), from = to - span;
  const v = await api(`/metering/districts/${encodeURIComponent(district.id)}/volumes?from=${from}&to=${to}&period=${period}`);
  const name = district.name || district.id;
  app.innerHTML = `<div class="metering" data-lang="${lang()}" data-district="${esc(district.id)}">
    <h1>${esc(t('meteringTitle', name))}</h1>
    <p class="controls">${districts.length > 1 ? `<label>${esc(t('districts'))} <select id="district">${districts.map((d) => `<option value="${esc(d.id)}"${d.id === district.id ? ' selected' : ''}>${esc(d.name || d.id)}</option>`).join('')}</select></label> ` : ''}
      <label>${esc(t('range'))} <select id="range">${Object.entries(RANGES).map(([k, r]) => `<option value="${k}"${k === chosen ? ' selected' : ''}>${esc(t(r[2]))}</option>`).join('')}</select></label></p>
    <p class="note">${esc(t('meteringNote'))}</p>
    ${v.channels.map((c) => `<div class="card channel-card" data-channel="${esc(c.channel)}"><h2 class="chart-title">${esc(c.name || c.channel)}</h2>
      <p class="totals"></p><div class="metering-chart"></div></div>`).join('')}</div>`;
  app.querySelector('#range').addEventListener('change', (ev) => { chosen = ev.target.value; showMetering(app, district.id); });
  app.querySelector('#district')?.addEventListener('change', (ev) => { location.hash = `#/metering/${encodeURIComponent(ev.target.value)}`; });
  for (const c of v.channels) {
    const card = app.querySelector(`.channel-card[data-channel="${CSS.escape(c.channel)}"]`);
    const config = district.channels.find((x) => x.id === c.channel);
    card.querySelector('.totals').innerHTML = totals(c, config, from, to);
    draw(card.querySelector('.metering-chart'), c, from, to, period === 'hour' ? (lang() === 'zh' ? '小时' : 'hour') : (lang() === 'zh' ? '日' : 'day'));
  }
  document.querySelector('.metering').dataset.range = word;
}

// the range's volume with its completeness, gaps and flagged time beside it; the allocations overlapping it
function totals(c, config, from, to) {
  const sum = (k) => c.periods.reduce((a, p) => a + p[k], 0);
  const volume = sum('volume'), covered = sum('coveredSeconds') + sum('interpolatedSeconds'), gap = sum('gapSeconds'), flagged = sum('flaggedSeconds');
  const pct = (x) => (100 * x).toFixed(1);
  const hours = (s) => `${(s / 3600).toFixed(1)} h`;
  const parts = [
    `<span class="total" data-volume="${volume.toFixed(3)}">${esc(t('volume'))} <b>${esc(fmt(volume))} m³</b></span>`,
    `<span class="coverage" data-completeness="${(covered / (to - from)).toFixed(4)}">${esc(t('coverage'))} ${pct(covered / (to - from))} %</span>`,
    `<span>${esc(t('gapTime'))} ${hours(gap)}</span>`,
  ];
  if (flagged > 0) parts.push(`<span>${esc(t('flaggedTime'))} ${hours(flagged)}</span>`);
  for (const a of (config?.allocations || []).filter((x) => x.from < to && x.to > from)) {
    // the part of the allocation's period inside the range: the use shown is only that part's
    const used = c.periods.filter((p) => p.start >= a.from && p.end <= a.to).reduce((s, p) => s + p.volume, 0);
    parts.push(`<span class="allocation" data-allocation="${esc(a.id)}">${esc(t('allocation'))} ${esc(t('allocationUse', a.id, fmt(used), fmt(a.volume), pct(used / a.volume)))}</span>`);
  }
  return parts.join(' · ');
}

// x = each period's end: the mean flow of the period ending there and the volume up to it (0 at the range's start)
function draw(box, c, from, to, periodWord) {
  box._plot?.destroy();
  box.replaceChildren();
  const xs = [from], flow = [null], cumulative = [0];
  let total = 0;
  for (const p of c.periods) {
    total += p.volume;
    const seconds = p.coveredSeconds + p.interpolatedSeconds;
    xs.push(p.end);
    flow.push(seconds > 0 ? Math.round((p.volume / seconds) * 10000) / 10000 : null);
    cumulative.push(Math.round(total * 1000) / 1000);
  }
  const known = flow.filter((q) => q != null);
  const tz = zone() === 'local' ? (s) => new Date(s * 1000) : (s) => uPlot.tzDate(new Date(s * 1000), zoneId());
  const width = () => Math.max(240, box.clientWidth);
  const plot = new uPlot({
    width: width(), height: 260, tzDate: tz, pxAlign: 0,
    scales: { x: { time: true, range: () => [from, to] }, q: { range: () => [0, Math.max(0.001, ...known) * 1.15] }, v: { range: () => [0, Math.max(1, total) * 1.1] } },
    series: [
      { label: t('time'), value: (u, x) => (x == null ? '–' : dateTime(x * 1000)) },
      { label: t('flowPer', periodWord), scale: 'q', stroke: FLOW, width: 2, spanGaps: false, points: { show: xs.length <= 60, size: 4 }, value: (u, q) => (q == null ? '–' : `${flowFmt(q)} m³/s`) },
      { label: t('cumulative'), scale: 'v', stroke: VOLUME, width: 2, points: { show: false }, value: (u, x) => (x == null ? '–' : `${fmt(x)} m³`) },
    ],
    axes: [
      { label: `${t('time')} (${zoneLabel(to * 1000)})`, labelSize: 18, space: 70, values: (u, splits) => timeLabels(splits, to - from), gap: 4, size: 44 },
      { scale: 'q', label: t('flowAxis'), labelSize: 18, size: 60, values: (u, splits) => valueLabels(splits) },
      { scale: 'v', side: 1, label: t('cumulativeAxis'), labelSize: 18, size: 70, grid: { show: false }, values: (u, splits) => valueLabels(splits) },
    ],
    legend: { show: true, live: true },
    cursor: { points: { size: 6 } },
  }, [xs, flow, cumulative], box);
  box._plot = plot;
  box.dataset.flowPoints = known.length;
  box.dataset.cumulative = total.toFixed(3);
  box.dataset.axes = plot.axes.map((a) => a.label).join(' | '); // uPlot draws them on its canvas
  box._resize?.disconnect();
  box._resize = new ResizeObserver(() => { if (Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: 260 }); });
  box._resize.observe(box);
}
