// Site page: status and reasons, device health, alerts (acknowledge and resolve for operators), a chart
// per quantity with the rule limits that apply to the site, remote config and commands. Returns a
// refresh for the parts that change while the page is open (remote config and commands).
import { api, esc, badge, floodBadge, ApiError } from './api.js';
import { drawChart, fmt, limitList } from './chart.js';
import { drawFloodChart, intervalFor } from './flood-chart.js';
import { mountDownlink } from './downlink.js';
import { configBadge } from './remote-config.js';
import { whoami, canOperate } from './access.js';
import { t, ago, siteType, quantityName, reason, ruleName, flagWords, statusWord, zoneLabel, zoned, floodWord, accessTech, signalQuality, signalWord } from './i18n.js';

const RANGES = [['6h', 21600], ['24h', 86400], ['7d', 604800], ['30d', 2592000], ['1y', 31536000]];
const WINDOWS = [60, 300, 900, 1800, 3600, 10800, 21600, 86400, 604800];
const W = (s) => (s % 86400 === 0 ? `${s / 86400}d` : s % 3600 === 0 ? `${s / 3600}h` : `${s / 60}m`);
// quantities whose values are amounts per window: drawn as bars (a hyetograph for rainfall)
const BARS = new Set(['rain.amount']);
const FLAGGED_SPAN = 7 * 86400; // flagged readings are marked from the raw export up to this range

export async function showSite(app, id) {
  const [detail, quantities, rules, me] = await Promise.all([
    api(`/sites/${encodeURIComponent(id)}`), api('/quantities'),
    api('/alert-rules').catch(() => []), whoami().catch(() => null)]);
  const s = detail.site;
  const units = Object.fromEntries(quantities.map((q) => [q.code, q.unit]));
  const ruleList = rules.map((r) => r.rule);
  const now = Math.floor(Date.now() / 1000);
  let range = { from: now - 86400, to: now };
  const devices = detail.devices;
  const label = (k) => `data-label="${esc(t(k))}"`;
  app.innerHTML = `<p><a href="#/">${esc(t('allSites'))}</a></p>
    <h1 class="site-title">${esc(s.name)} ${badge(s.status, statusWord(s.status))}</h1>
    <p class="note">${esc(s.id)} · ${esc(siteType(s.type))} · ${esc(s.basin)} · ${s.lat ?? '–'}, ${s.lon ?? '–'}</p>
    ${s.reasonCodes?.length ? `<ul class="reasons">${s.reasonCodes.map((r) => `<li>${esc(reason(r, ruleList))}</li>`).join('')}</ul>` : ''}
    <div class="card"><h2>${esc(t('devicesTitle'))}</h2><table id="devices" class="stack"><thead><tr><th>${esc(t('device'))}</th><th>${esc(t('status'))}</th><th>${esc(t('lastSeen'))}</th><th>${esc(t('completeness'))}</th><th>${esc(t('battery'))}</th><th>${esc(t('rssi'))}</th><th>${esc(t('network'))}</th><th>${esc(t('backlog'))}</th><th>${esc(t('missing'))}</th><th>${esc(t('remoteConfig'))}</th></tr></thead><tbody>
    ${devices.map((d) => `<tr data-device="${esc(d.id)}"><td ${label('device')} class="name">${esc(d.id)}</td><td ${label('status')}>${badge(d.status, statusWord(d.status))}</td>
      <td ${label('lastSeen')}>${ago(d.lastSeen)}</td><td ${label('completeness')} class="completeness">…</td>
      <td ${label('battery')}>${d.battery != null ? fmt(d.battery) + ' V' : '–'}</td><td ${label('rssi')}>${d.rssi != null ? d.rssi + ' dBm' : '–'}</td><td ${label('network')} class="network">${network(d.cellular, d.rssi)}</td>
      <td ${label('backlog')}>${d.backlog ?? '–'}</td><td ${label('missing')}>${d.missing}</td><td ${label('remoteConfig')} class="remote-config">…</td></tr>`).join('')}
    </tbody></table></div>
    <div class="card" id="alerts-card"><h2>${esc(t('alerts'))}</h2><div id="alerts"></div></div>
    <div class="toolbar" id="ranges">${RANGES.map(([l, sec]) => `<button data-range="${sec}" title="${esc(l)}">${esc(t('rangeWords')[l] || l)}</button>`).join('')}
      <button id="earlier">${esc(t('earlier'))}</button><button id="later">${esc(t('later'))}</button>
      <label>${esc(t('from'))} <input type="datetime-local" id="from"></label><label>${esc(t('to'))} <input type="datetime-local" id="to"></label>
      <button id="apply">${esc(t('apply'))}</button><button id="reset">${esc(t('resetZoom'))}</button>
      <a id="csv" href="#">CSV</a> <span class="note">${esc(t('dragZoom'))} · ${esc(t('zone'))} ${esc(zoneLabel())}</span></div>
    ${s.flood != null ? `<div class="card flood-card" id="flood"><h2 class="chart-title">${esc(t('floodTitle'))} ${floodBadge(s.flood)}</h2><div class="flood-chart"></div><div class="flood-notes note"></div></div>` : ''}
    <div class="charts" id="charts">${detail.quantities.map((q) => `<div class="card chart-card"><h2 class="chart-title">${esc(quantityName(q))} <span class="unit">(${esc(units[q] || '')})</span> <span class="code note">${esc(q)}</span></h2><div class="chart" data-quantity="${esc(q)}"></div><div class="chart-limits"></div></div>`).join('') || `<p class="note">${esc(t('noValues'))}</p>`}</div>
    <div class="card" id="downlink"></div>`;

  // the range inputs show and take times in the chosen zone, like the charts
  const offset = (ms) => { const p = zoned(ms); return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - ms; };
  const local = (sec) => new Date(sec * 1000 + offset(sec * 1000)).toISOString().slice(0, 16);
  const parse = (v) => { const guess = Date.parse(v + 'Z'); return (guess - offset(guess)) / 1000; };
  const load = async () => {
    app.querySelector('#from').value = local(range.from);
    app.querySelector('#to').value = local(range.to);
    const span = range.to - range.from;
    const window = WINDOWS.find((w) => span / w <= 600) || 604800;
    app.querySelector('#csv').onclick = (ev) => { ev.preventDefault(); download(id, range); };
    const flagged = span <= FLAGGED_SPAN ? flaggedReadings(id, range).catch(() => new Map()) : Promise.resolve(new Map());
    const floodDrawn = s.flood != null ? flood(app, id, range) : null;
    await Promise.all([...app.querySelectorAll('.chart')].map(async (box) => {
      const q = box.dataset.quantity;
      try {
        const agg = BARS.has(q) ? 'sum' : 'mean';
        const data = await api(`/series?site=${encodeURIComponent(id)}&quantity=${encodeURIComponent(q)}&from=${range.from}&to=${range.to}&window=${W(window)}&agg=${agg}`);
        const limits = ruleLimits(ruleList, s, devices.map((d) => d.id), q, data.thresholds);
        drawChart(box, {
          quantity: q, unit: data.unit, from: range.from, to: range.to, kind: BARS.has(q) ? 'bars' : 'line',
          series: data.series.map((line) => ({ label: line.device, points: line.points })),
          limits, flagged: (await flagged).get(q) || [],
          onZoom: (a, b) => { range = { from: a, to: b }; load(); },
        });
        box.parentElement.querySelector('.chart-limits').innerHTML = limitList(limits, data.unit);
      } catch (e) { box.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    }));
    await floodDrawn;
  };
  const shift = (k) => { const w = range.to - range.from; range = { from: range.from + k * Math.round(w / 2), to: range.to + k * Math.round(w / 2) }; load(); };
  app.querySelector('#earlier').addEventListener('click', () => shift(-1));
  app.querySelector('#later').addEventListener('click', () => shift(1));
  app.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
    const now2 = Math.floor(Date.now() / 1000); range = { from: now2 - +b.dataset.range, to: now2 }; load();
  }));
  app.querySelector('#apply').addEventListener('click', () => {
    const f = parse(app.querySelector('#from').value), to = parse(app.querySelector('#to').value);
    if (f < to) { range = { from: Math.floor(f), to: Math.floor(to) }; load(); }
  });
  app.querySelector('#reset').addEventListener('click', () => { const now2 = Math.floor(Date.now() / 1000); range = { from: now2 - 86400, to: now2 }; load(); });
  const onConfig = (device, doc) => {
    const cell = app.querySelector(`#devices tr[data-device="${CSS.escape(device)}"] .remote-config`);
    if (cell) cell.innerHTML = `<button class="link" title="${esc(t('downlinkTitle'))}">${configBadge(doc.state)}${doc.desired ? ` ${esc(t('rev', doc.desired.rev))}` : ''}</button>`;
  };
  // the column is the glance; the panel (below the charts) is one click away
  app.querySelector('#devices').addEventListener('click', (ev) => {
    const tr = ev.target.closest('.remote-config button') && ev.target.closest('tr[data-device]');
    if (tr) app.querySelector(`#downlink section[data-device="${CSS.escape(tr.dataset.device)}"]`)?.scrollIntoView({ behavior: 'smooth' });
  });
  const [refresh] = await Promise.all([mountDownlink(app.querySelector('#downlink'), devices.map((d) => d.id), onConfig), load(), alerts(app, id, canOperate(me), ruleList), completeness(app, id)]);
  return refresh;
}

// a cellular node's network for the technician: operator · access technology, the signal with its
// quality word (weak flagged: uploads then fail first), the SIM's ICCID; '–' for a Wi-Fi node
function network(c, rssi) {
  if (!c) return '–';
  const q = signalQuality(c.rsrp, rssi);
  const level = c.rsrp != null ? `RSRP ${c.rsrp} dBm` : rssi != null ? `RSSI ${rssi} dBm` : null;
  const signal = level == null ? ''
    : q === 'weak' ? `<span class="signal weak" data-quality="weak" title="${esc(t('weakSignal', level))}">${esc(level)} ${badge('warning', signalWord(q))}</span>`
      : `<span class="signal" data-quality="${esc(q)}">${esc(level)} (${esc(signalWord(q))})</span>`;
  const op = [c.operator, accessTech(c.act)].filter(Boolean).join(' · ');
  return `${op ? `<span class="operator">${esc(op)}</span><br>` : ''}${signal}${c.iccid ? `<br><span class="note">${esc(t('iccid'))} <code class="iccid">${esc(c.iccid)}</code></span>` : ''}`;
}

// the flash-flood card: rain of each interval as bars and the water level as a line, from the site's
// flood state (exact rain increments, warning levels) and the level's series
async function flood(app, id, range) {
  const card = app.querySelector('#flood');
  const box = card.querySelector('.flood-chart');
  try {
    const from = Math.max(range.from, range.to - 7 * 86400); // the flood state covers at most 7 days
    const interval = intervalFor(range.to - from);
    const [state, level] = await Promise.all([
      api(`/sites/${encodeURIComponent(id)}/flood?from=${from}&to=${range.to}`),
      api(`/series?site=${encodeURIComponent(id)}&quantity=water.level&from=${from}&to=${range.to}&window=${W(interval)}&agg=mean`).catch(() => ({ series: [] }))]);
    // a window's mean level is drawn at the window's middle, where that window's rain bar stands
    const warnings = [['prepare', state.levelPrepare], ['immediate', state.levelImmediate]].filter(([, v]) => v != null).map(([l, v]) => ({ level: l, value: v }));
    drawFloodChart(box, { from, to: range.to, interval, increments: state.increments, levels: level.series.map((l) => ({ label: l.device, points: l.points.map(([x, v]) => [x + interval / 2, v]) })), warnings });
    card.querySelector('h2 .badge').outerHTML = floodBadge(state.level);
    const sums = state.sums.filter((x) => x.prepare != null || x.immediate != null).map((x) => `${x.minutes % 60 ? `${x.minutes} min` : `${x.minutes / 60} h`} ${x.mm.toFixed(1)} mm (${[x.prepare, x.immediate].map((v) => (v == null ? '–' : v)).join(' / ')})`);
    card.querySelector('.flood-notes').innerHTML = `<ul class="limits">${warnings.map((x) => `<li class="limit ${x.level === 'immediate' ? 'critical' : 'warning'}"><span class="swatch"></span>${esc(t('floodLine')[x.level])} ${esc(fmt(x.value))} m</li>`).join('')}</ul>`
      + (sums.length ? `<p>${esc(t('floodSums'))} (${esc(floodWord('prepare'))} / ${esc(floodWord('immediate'))} mm): ${esc(sums.join(' · '))}</p>` : '');
  } catch (e) { box.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
}

// the limits of the enabled threshold rules that apply to this site and quantity (as the alert engine
// matches them: quantity or domain wildcard; scope sites, devices, site types, basins), plus the
// quantity's plausible range when the data come near it
function ruleLimits(rules, site, devices, quantity, thresholds) {
  const matchQ = (r) => r.quantity === quantity || (r.quantity?.endsWith('.*') && quantity.startsWith(r.quantity.slice(0, -1)));
  const has = (list, v, ci) => !list?.length || list.some((x) => (ci ? x.toLowerCase() === String(v ?? '').toLowerCase() : x === v));
  const out = [];
  for (const r of rules) {
    if (r.kind !== 'threshold' || r.enabled === false || !matchQ(r)) continue;
    const sc = r.scope || {};
    if (!has(sc.sites, site.id) || !has(sc.siteTypes, site.type, true) || !has(sc.basins, site.basin, true)) continue;
    if (sc.devices?.length && !devices.some((d) => sc.devices.includes(d))) continue;
    const name = ruleName(r, r.id);
    if (r.above != null) out.push({ value: r.above, side: 'above', label: name, severity: r.severity });
    if (r.below != null) out.push({ value: r.below, side: 'below', label: name, severity: r.severity });
  }
  for (const th of thresholds.filter((x) => x.label.startsWith('plausible'))) {
    out.push({ value: th.value, side: 'line', label: t('plausible'), severity: 'plausible' });
  }
  return out;
}

// readings with flags (out of range, time estimated, ...) from the raw export, per quantity
async function flaggedReadings(id, range) {
  const res = await fetch(`/api/v1/export?site=${encodeURIComponent(id)}&from=${range.from}&to=${range.to}`, { headers: { 'X-Api-Key': localStorage.getItem('iotmon.apiKey') || '' } });
  if (!res.ok) throw new ApiError(res.status);
  const rows = (await res.text()).split('\n').slice(1);
  const out = new Map();
  for (const row of rows) {
    const c = row.split(','); // time,site,device,quantity,value,unit,flags,seq,boot
    const flags = +c[6];
    if (!flags || c[4] === '') continue;
    const list = out.get(c[3]) || [];
    list.push({ t: Math.floor(Date.parse(c[0]) / 1000), v: +c[4], words: flagWords(flags) });
    out.set(c[3], list);
  }
  return out;
}

async function completeness(app, id) {
  try {
    const c = await api(`/sites/${encodeURIComponent(id)}/completeness`);
    for (const tr of app.querySelectorAll('#devices tr[data-device]')) {
      const d = c.devices.find((x) => x.device === tr.dataset.device);
      tr.querySelector('.completeness').textContent = d?.ratio != null ? `${(d.ratio * 100).toFixed(1)} % (${d.received}/${d.expected})` : '–';
    }
  } catch (e) {
    app.querySelectorAll('.completeness').forEach((td) => { td.textContent = e.message; });
  }
}

// Active (open or acknowledged) alerts of the site; acknowledge and resolve only for operator keys
async function alerts(app, id, operate, rules) {
  const box = app.querySelector('#alerts');
  const list = await api(`/alerts?site=${encodeURIComponent(id)}&state=active`);
  if (!list.length) { box.innerHTML = `<p class="note">${esc(t('noAlerts'))}</p>`; return; }
  const level = (s) => (s === 'critical' ? 'critical' : s === 'warning' ? 'warning' : 'info');
  const value = (a) => (a.value != null ? `${fmt(a.value)}${a.worst != null && a.worst !== a.value ? ` (${t('worst')} ${fmt(a.worst)})` : ''}` : '');
  const marks = (a) => [a.late ? t('late') : '', a.flapping ? t('flapping') : ''].filter(Boolean).map((m) => ` <span class="note">${esc(m)}</span>`).join('');
  const name = (a) => ruleName(rules.find((r) => r.id === a.ruleId), a.ruleName);
  const label = (k) => `data-label="${esc(t(k))}"`;
  const actions = (a, acked) => {
    if (acked) return `${esc(t('acknowledgedBy', a.acknowledgedBy))} ` + (operate ? `<button class="resolve" data-resolve="${esc(a.id)}">${esc(t('resolve'))}</button>` : '');
    if (!operate) return a.late ? esc(t('history')) : '';
    return (a.late ? `${esc(t('history'))} ` : `<button class="ack" data-ack="${esc(a.id)}">${esc(t('acknowledge'))}</button> `) + `<button class="resolve" data-resolve="${esc(a.id)}">${esc(t('resolve'))}</button>`;
  };
  box.innerHTML = `<table class="stack alerts"><thead><tr><th>${esc(t('alert'))}</th><th>${esc(t('severity'))}</th><th>${esc(t('value'))}</th><th>${esc(t('device'))}</th><th>${esc(t('quantity'))}</th><th>${esc(t('raised'))}</th><th></th></tr></thead><tbody>${list.map((a) => {
    const acked = a.state === 'acknowledged';
    return `<tr class="alert-row${acked ? ' acked' : ''}" data-alert="${esc(a.id)}"><td ${label('alert')} class="name">${esc(name(a))}${marks(a)}</td><td ${label('severity')}>${badge(level(a.severity), statusWord(a.severity))}</td>
    <td ${label('value')}>${esc(value(a))}</td><td ${label('device')}>${esc(a.device)}</td><td ${label('quantity')}>${esc(a.quantity ? quantityName(a.quantity) : t('system'))}</td>
    <td ${label('raised')} title="${esc(a.since)}">${ago(a.detectedAt)}</td><td class="actions">${actions(a, acked)}</td></tr>`;
  }).join('')}</tbody></table><p class="error" id="ack-error"></p>`;
  const act = (attr, verb) => box.querySelectorAll(`[data-${attr}]`).forEach((b) => b.addEventListener('click', async () => {
    try {
      await api(`/alerts/${encodeURIComponent(b.dataset[attr])}/${verb}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      await alerts(app, id, operate, rules);
    } catch (e) {
      box.querySelector('#ack-error').textContent = e instanceof ApiError && e.status === 403 ? t('needsOperator') : e.message;
    }
  }));
  act('ack', 'ack');
  act('resolve', 'resolve');
}

async function download(id, range) {
  const res = await fetch(`/api/v1/export?site=${encodeURIComponent(id)}&from=${range.from}&to=${range.to}`, { headers: { 'X-Api-Key': localStorage.getItem('iotmon.apiKey') || '' } });
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: `${id}.csv` });
  a.click();
  URL.revokeObjectURL(url);
}
