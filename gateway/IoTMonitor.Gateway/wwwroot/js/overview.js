// Overview: every site on the map and in a sortable table, worst first; refreshed by the caller every
// 30 s (the map keeps its zoom, its markers are replaced).
import { api, esc, badge, floodBadge } from './api.js';
import { drawMap, RANK } from './map.js';
import { t, ago, siteType, statusWord, reason, lang, floodWord } from './i18n.js';

const FLOOD_RANK = { immediate: 3, prepare: 2, none: 1 };

let sort = { key: 'status', dir: 1 };

export async function showOverview(app) {
  const [sites, rules] = await Promise.all([api('/sites'), rulesOnce()]);
  let root = app.querySelector('.overview');
  // the flash-flood column is there when some site is watched for flash floods
  const watched = sites.some((s) => s.flood != null);
  if (!root || root.dataset.lang !== lang() || root.dataset.flood !== String(watched)) {
    app.innerHTML = `<div class="overview" data-lang="${lang()}" data-flood="${watched}"><h1>${esc(t('sites'))} <span class="note counts"></span></h1>
      <div class="grid"><div class="card map-card"><div id="map" class="map"></div></div><div class="card table-card"><table id="sites" class="stack"><thead><tr>
        <th data-sort="name">${esc(t('site'))}</th><th data-sort="status">${esc(t('status'))}</th>${watched ? `<th data-sort="flood">${esc(t('flood'))}</th>` : ''}<th data-sort="lastSeen">${esc(t('lastSeen'))}</th>
        <th data-sort="devices">${esc(t('devices'))}</th><th data-sort="type">${esc(t('type'))}</th><th data-sort="basin">${esc(t('basin'))}</th></tr></thead><tbody></tbody></table></div></div></div>`;
    root = app.querySelector('.overview');
    app.querySelectorAll('th[data-sort]').forEach((th) => th.addEventListener('click', () => {
      sort = { key: th.dataset.sort, dir: sort.key === th.dataset.sort ? -sort.dir : 1 };
      render(app, root._sites, rules);
    }));
  }
  root._sites = sites;
  root.querySelector('.counts').textContent = `${t('nSites', sites.length)} · ${counts(sites)}`;
  const open = (id) => { location.hash = `#/site/${encodeURIComponent(id)}`; };
  render(app, sites, rules);
  await drawMap(app.querySelector('#map'), sites, open);
  if (!performance.getEntriesByName('iotmon:overview').length) performance.mark('iotmon:overview');
}

let rulesAsked;
function rulesOnce() {
  // rule names in the reasons are shown in Chinese from the rules' nameZh; the reasons already carry the
  // English name, so an English page does not ask
  if (lang() !== 'zh') return Promise.resolve([]);
  rulesAsked ??= api('/alert-rules').then((list) => list.map((r) => r.rule)).catch(() => { rulesAsked = null; return []; });
  return rulesAsked;
}

function render(app, sites, rules) {
  const watched = sites.some((s) => s.flood != null);
  const v = (s) => (sort.key === 'status' ? -RANK[s.status] : sort.key === 'flood' ? -(FLOOD_RANK[s.flood] || 0) : sort.key === 'lastSeen' ? (s.lastSeen ? Date.parse(s.lastSeen) : 0) : s[sort.key] ?? '');
  const rows = [...sites].sort((a, b) => (v(a) < v(b) ? -1 : v(a) > v(b) ? 1 : a.id.localeCompare(b.id)) * sort.dir);
  const label = (k) => `data-label="${esc(t(k))}"`;
  const why = (s) => {
    const r = (s.reasonCodes || []).map((x) => reason(x, rules));
    return r.length ? `<span class="reasons note">${esc(r.slice(0, 2).join(' · '))}${r.length > 2 ? ` +${r.length - 2}` : ''}</span>` : '';
  };
  app.querySelector('#sites tbody').innerHTML = rows.map((s) => `<tr class="site-row ${esc(s.status)}" data-site="${esc(s.id)}">
    <td ${label('site')} class="name"><a href="#/site/${encodeURIComponent(s.id)}">${esc(s.name)}</a>${why(s)}</td><td ${label('status')} class="status">${badge(s.status, statusWord(s.status))}</td>${watched ? `<td ${label('flood')} class="flood" title="${esc(s.flood ? floodWord(s.flood) : '')}">${s.flood ? floodBadge(s.flood) : '–'}</td>` : ''}
    <td ${label('lastSeen')} class="last-seen" title="${esc(s.lastSeen || '')}">${ago(s.lastSeen)}</td><td ${label('devices')}>${s.devices}</td>
    <td ${label('type')}>${esc(siteType(s.type))}</td><td ${label('basin')}>${esc(s.basin)}</td></tr>`).join('');
  app.querySelectorAll('th[data-sort]').forEach((th) => { th.className = th.dataset.sort === sort.key ? (sort.dir > 0 ? 'asc' : 'desc') : ''; });
  app.querySelectorAll('tr.site-row').forEach((tr) => tr.addEventListener('click', (ev) => { if (!ev.target.closest('a')) location.hash = `#/site/${encodeURIComponent(tr.dataset.site)}`; }));
}

function counts(sites) {
  const c = {};
  for (const s of sites) c[s.status] = (c[s.status] || 0) + 1;
  return Object.entries(c).sort((a, b) => RANK[b[0]] - RANK[a[0]]).map(([k, n]) => `${n} ${statusWord(k)}`).join(t('listSep'));
}
