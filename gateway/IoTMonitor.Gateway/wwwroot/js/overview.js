// Overview: every site on the map and in a sortable table, coloured by status.
import { api, esc, ago, badge } from './api.js';
import { drawMap } from './map.js';

const ORDER = { critical: 0, warning: 1, offline: 2, ok: 3 };
let sort = { key: 'status', dir: 1 };

export async function showOverview(app) {
  const sites = await api('/sites');
  app.innerHTML = `<h1>Sites <span class="note">${sites.length} sites · ${counts(sites)}</span></h1>
    <div class="grid"><div class="card" id="map"></div><div class="card"><table id="sites"><thead><tr>
      <th data-sort="name">Site</th><th data-sort="status">Status</th><th data-sort="basin">Basin</th><th data-sort="type">Type</th>
      <th data-sort="devices">Devices</th><th data-sort="lastSeen">Last seen</th></tr></thead><tbody></tbody></table></div></div>`;
  const open = (id) => { location.hash = `#/site/${encodeURIComponent(id)}`; };
  await drawMap(app.querySelector('#map'), sites, open);
  const render = () => {
    const v = (s) => sort.key === 'status' ? ORDER[s.status] : sort.key === 'lastSeen' ? (s.lastSeen ? Date.parse(s.lastSeen) : 0) : s[sort.key] ?? '';
    const rows = [...sites].sort((a, b) => (v(a) < v(b) ? -1 : v(a) > v(b) ? 1 : a.id.localeCompare(b.id)) * sort.dir);
    app.querySelector('#sites tbody').innerHTML = rows.map((s) => `<tr class="site-row" data-site="${esc(s.id)}" title="${esc(s.reasons.join('\n'))}">
      <td>${esc(s.name)}</td><td>${badge(s.status)}</td><td>${esc(s.basin)}</td><td>${esc((s.type || '').replaceAll('_', ' '))}</td>
      <td>${s.devices}</td><td>${ago(s.lastSeen)}</td></tr>`).join('');
    app.querySelectorAll('th[data-sort]').forEach((th) => { th.className = th.dataset.sort === sort.key ? (sort.dir > 0 ? 'asc' : 'desc') : ''; });
    app.querySelectorAll('tr.site-row').forEach((tr) => tr.addEventListener('click', () => open(tr.dataset.site)));
  };
  app.querySelectorAll('th[data-sort]').forEach((th) => th.addEventListener('click', () => {
    sort = { key: th.dataset.sort, dir: sort.key === th.dataset.sort ? -sort.dir : 1 };
    render();
  }));
  render();
  if (!performance.getEntriesByName('iotmon:overview').length) performance.mark('iotmon:overview');
}

function counts(sites) {
  const c = {};
  for (const s of sites) c[s.status] = (c[s.status] || 0) + 1;
  return Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ');
}
