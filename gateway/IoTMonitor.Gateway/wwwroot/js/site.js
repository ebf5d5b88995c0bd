// Site page: status, device health, remote config and commands, alerts with acknowledge, and a chart
// per quantity with a range picker and drag-to-zoom. Returns a refresh for the parts that change while
// the page is open (remote config and commands).
import { api, esc, ago, badge, ApiError } from './api.js';
import { drawChart, fmt } from './chart.js';
import { mountDownlink } from './downlink.js';
import { configBadge } from './remote-config.js';

const RANGES = [['6h', 21600], ['24h', 86400], ['7d', 604800], ['30d', 2592000], ['1y', 31536000]];
const WINDOWS = [60, 300, 900, 1800, 3600, 10800, 21600, 86400, 604800];
const W = (s) => (s % 86400 === 0 ? `${s / 86400}d` : s % 3600 === 0 ? `${s / 3600}h` : `${s / 60}m`);

export async function showSite(app, id) {
  const detail = await api(`/sites/${encodeURIComponent(id)}`);
  const s = detail.site;
  const now = Math.floor(Date.now() / 1000);
  let range = { from: now - 86400, to: now };
  app.innerHTML = `<p><a href="#/">← all sites</a></p>
    <h1>${esc(s.name)} ${badge(s.status)}</h1>
    <p class="note">${esc(s.id)} · ${esc((s.type || '').replaceAll('_', ' '))} · ${esc(s.basin)} · ${s.lat ?? '–'}, ${s.lon ?? '–'}${s.reasons.length ? ' · ' + esc(s.reasons.join('; ')) : ''}</p>
    <div class="card"><h2>Devices</h2><table id="devices"><thead><tr><th>Device</th><th>Status</th><th>Battery</th><th>RSSI</th><th>Last seen</th><th>Backlog</th><th>Completeness 24 h</th><th>Missing (this boot)</th><th>Remote config</th></tr></thead><tbody>
    ${detail.devices.map((d) => `<tr data-device="${esc(d.id)}"><td>${esc(d.id)}</td><td>${badge(d.status)}</td><td>${d.battery != null ? fmt(d.battery) + ' V' : '–'}</td>
      <td>${d.rssi != null ? d.rssi + ' dBm' : '–'}</td><td>${ago(d.lastSeen)}</td><td>${d.backlog ?? '–'}</td><td class="completeness">…</td><td>${d.missing}</td><td class="remote-config">…</td></tr>`).join('')}
    </tbody></table></div>
    <div class="card" id="alerts-card"><h2>Alerts</h2><div id="alerts"></div></div>
    <div class="toolbar" id="ranges">${RANGES.map(([l, sec]) => `<button data-range="${sec}">${l}</button>`).join('')}
      <label>from <input type="datetime-local" id="from"></label><label>to <input type="datetime-local" id="to"></label>
      <button id="apply">Apply</button><button id="reset">Reset zoom</button>
      <a id="csv" href="#">CSV</a></div>
    <div class="charts" id="charts">${detail.quantities.map((q) => `<div class="card"><h2>${esc(q)}</h2><div class="chart-box" data-quantity="${esc(q)}"></div></div>`).join('') || '<p class="note">No values received yet.</p>'}</div>
    <div class="card" id="downlink"></div>`;

  const local = (t) => new Date((t - new Date().getTimezoneOffset() * 60) * 1000).toISOString().slice(0, 16);
  const load = async () => {
    app.querySelector('#from').value = local(range.from);
    app.querySelector('#to').value = local(range.to);
    const span = range.to - range.from;
    const window = WINDOWS.find((w) => span / w <= 600) || 604800;
    const q = detail.quantities[0];
    app.querySelector('#csv').href = '#';
    app.querySelector('#csv').onclick = (ev) => { ev.preventDefault(); download(id, q, range); };
    await Promise.all([...app.querySelectorAll('.chart-box')].map(async (box) => {
      try {
        const data = await api(`/series?site=${encodeURIComponent(id)}&quantity=${box.dataset.quantity}&from=${range.from}&to=${range.to}&window=${W(window)}&agg=mean`);
        drawChart(box, data, { from: range.from, to: range.to, onZoom: (a, b) => { range = { from: a, to: b }; load(); } });
      } catch (e) { box.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    }));
  };
  app.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
    const t = Math.floor(Date.now() / 1000); range = { from: t - +b.dataset.range, to: t }; load();
  }));
  app.querySelector('#apply').addEventListener('click', () => {
    const f = Date.parse(app.querySelector('#from').value) / 1000, t = Date.parse(app.querySelector('#to').value) / 1000;
    if (f < t) { range = { from: Math.floor(f), to: Math.floor(t) }; load(); }
  });
  app.querySelector('#reset').addEventListener('click', () => { const t = Math.floor(Date.now() / 1000); range = { from: t - 86400, to: t }; load(); });
  const onConfig = (device, doc) => {
    const cell = app.querySelector(`#devices tr[data-device="${CSS.escape(device)}"] .remote-config`);
    if (cell) cell.innerHTML = `<button class="link" title="remote config and commands">${configBadge(doc.state)}${doc.desired ? ` rev ${doc.desired.rev}` : ''}</button>`;
  };
  // the column is the glance; the panel (below the charts) is one click away
  app.querySelector('#devices').addEventListener('click', (ev) => {
    const tr = ev.target.closest('.remote-config button') && ev.target.closest('tr[data-device]');
    if (tr) app.querySelector(`#downlink section[data-device="${CSS.escape(tr.dataset.device)}"]`)?.scrollIntoView({ behavior: 'smooth' });
  });
  const [refresh] = await Promise.all([mountDownlink(app.querySelector('#downlink'), detail.devices.map((d) => d.id), onConfig), load(), alerts(app, id), completeness(app, id)]);
  return refresh;
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

// Active (open or acknowledged) alerts of the site from the alert engine; operators acknowledge and resolve.
async function alerts(app, id) {
  const box = app.querySelector('#alerts');
  const list = await api(`/alerts?site=${encodeURIComponent(id)}&state=active`);
  if (!list.length) { box.innerHTML = '<p class="note">No open alerts.</p>'; return; }
  const level = (s) => (s === 'critical' ? 'critical' : s === 'warning' ? 'warning' : 'ok');
  const value = (a) => (a.value != null ? `${fmt(a.value)}${a.worst != null && a.worst !== a.value ? ` (worst ${fmt(a.worst)})` : ''}` : '');
  const marks = (a) => [a.late ? 'late' : '', a.flapping ? 'flapping' : ''].filter(Boolean).map((m) => ` <span class="note">${m}</span>`).join('');
  box.innerHTML = `<table><thead><tr><th>Raised</th><th>Severity</th><th>Device</th><th>Quantity</th><th>Alert</th><th>Value</th><th></th></tr></thead><tbody>${list.map((a) => {
    const acked = a.state === 'acknowledged';
    return `<tr class="alert-row${acked ? ' acked' : ''}" data-alert="${esc(a.id)}"><td title="${esc(a.since)}">${ago(a.detectedAt)}</td><td>${badge(level(a.severity))} ${esc(a.severity)}</td>
    <td>${esc(a.device)}</td><td>${esc(a.quantity)}</td><td>${esc(a.ruleName)}${marks(a)}</td><td>${esc(value(a))}</td>
    <td>${acked ? `acknowledged by ${esc(a.acknowledgedBy)} ` : a.late ? 'history (backlog) ' : `<button class="ack" data-ack="${esc(a.id)}">Acknowledge</button> `}<button class="resolve" data-resolve="${esc(a.id)}">Resolve</button></td></tr>`;
  }).join('')}</tbody></table><p class="error" id="ack-error"></p>`;
  const act = (attr, verb) => box.querySelectorAll(`[data-${attr}]`).forEach((b) => b.addEventListener('click', async () => {
    try {
      await api(`/alerts/${encodeURIComponent(b.dataset[attr])}/${verb}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      await alerts(app, id);
    } catch (e) {
      box.querySelector('#ack-error').textContent = e instanceof ApiError && e.status === 403 ? 'This needs an operator key.' : e.message;
    }
  }));
  act('ack', 'ack');
  act('resolve', 'resolve');
}

async function download(id, quantity, range) {
  const res = await fetch(`/api/v1/export?site=${encodeURIComponent(id)}&from=${range.from}&to=${range.to}`, { headers: { 'X-Api-Key': localStorage.getItem('iotmon.apiKey') || '' } });
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: `${id}.csv` });
  a.click();
  URL.revokeObjectURL(url);
}
