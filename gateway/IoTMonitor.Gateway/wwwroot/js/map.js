// Sites on a Leaflet map (vendored, loaded by index.html as the global L) over an offline basemap:
// Natural Earth country borders built at build time into vendor/world-atlas (no tiles, nothing fetched
// from outside). A site's marker sits at its exact coordinates and shows its status by colour AND
// shape; the worse the status the higher it is drawn, and clusters (when zoomed out) show the worst
// status among their sites.
import { esc } from './api.js';
import { t, statusWord, floodWord } from './i18n.js';

export const RANK = { critical: 3, warning: 2, offline: 1, ok: 0 };
// shape per status: triangle (critical), diamond (warning), square (offline), circle (ok)
const SHAPES = {
  critical: [28, '<path d="M14 2 L27 25 L1 25 Z"/><path d="M14 10 v7 M14 20 v1.5" class="mark"/>'],
  warning: [24, '<path d="M12 1 L23 12 L12 23 L1 12 Z"/><path d="M12 7 v6 M12 16 v1.5" class="mark"/>'],
  offline: [20, '<rect x="2" y="2" width="16" height="16" rx="1"/><path d="M6 10 h8" class="mark"/>'],
  ok: [18, '<circle cx="9" cy="9" r="7"/>'],
};
const CLUSTER_OFF_ZOOM = 9; // at this zoom and closer every site has its own marker

export function shapeSvg(status, extra = '') {
  const [size, body] = SHAPES[status] || SHAPES.offline;
  return `<svg class="shape ${esc(status)}" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">${body}</svg>${extra}`;
}

let basemap;

export async function drawMap(container, sites, onSite) {
  // the same address as index.html's preload (with the gateway's content hash), so the preloaded copy is used
  const url = document.querySelector('link[rel=preload][href*="countries-asia-50m.json"]')?.getAttribute('href') || 'vendor/world-atlas/countries-asia-50m.json';
  basemap ??= fetch(url).then((r) => r.json());
  let state = container._state;
  if (!state) {
    const map = L.map(container, { zoomControl: true, attributionControl: true, worldCopyJump: false, minZoom: 2, maxZoom: 13, preferCanvas: false });
    map.attributionControl.setPrefix(false).addAttribution('Natural Earth (world-atlas)');
    map.getContainer().setAttribute('aria-label', t('mapLabel'));
    // the sites come first; the borders follow when their file is in (they are under the markers' pane)
    // drawn when the browser is idle: building ~300 KB of borders holds the main thread for a while,
    // and the table and markers should be on screen first
    const whenIdle = (fn) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 1500 }) : setTimeout(fn, 50));
    basemap.then((geo) => whenIdle(() => {
      L.geoJSON(geo, {
        interactive: false, renderer: L.canvas({ padding: 0.2 }), // one canvas draws the borders faster than an SVG path per country
        style: (f) => ({ color: '#8c96a0', weight: 0.8, fillColor: f.properties.name === 'China' ? '#fdfcf7' : '#eef0ea', fillOpacity: 1 }),
      }).addTo(map);
      container.dataset.basemap = geo.features.length;
      if (!performance.getEntriesByName('iotmon:basemap').length) performance.mark('iotmon:basemap');
    })).catch((e) => { container.dataset.basemap = 'failed'; console.error('basemap', e); });
    const clusters = L.markerClusterGroup({
      maxClusterRadius: 36, disableClusteringAtZoom: CLUSTER_OFF_ZOOM, showCoverageOnHover: false, spiderfyOnMaxZoom: false, animate: false,
      iconCreateFunction: (cluster) => {
        const worst = cluster.getAllChildMarkers().reduce((w, m) => (RANK[m.options.status] > RANK[w] ? m.options.status : w), 'ok');
        cluster.options.zIndexOffset = RANK[worst] * 100000; // a cluster holding a critical site stays above the rest
        return L.divIcon({ html: shapeSvg(worst, `<b>${cluster.getChildCount()}</b>`), className: `site-cluster ${worst}`, iconSize: [34, 34] });
      },
    }).addTo(map);
    state = container._state = { map, clusters, fitted: false, touched: false };
    // until the person moves the map, it keeps every site in view when its box changes size (a phone
    // turned, the window resized)
    map.on('dragstart', () => { state.touched = true; });
    map.getContainer().addEventListener('wheel', () => { state.touched = true; }, { passive: true });
    map.getContainer().querySelector('.leaflet-control-zoom').addEventListener('click', () => { state.touched = true; });
    new ResizeObserver(() => { map.invalidateSize(); if (!state.touched) fit(state); }).observe(container);
  }
  const { map, clusters } = state;
  clusters.clearLayers();
  const placed = sites.filter((s) => s.lat != null && s.lon != null);
  const markers = placed.map((s) => {
    const [size] = SHAPES[s.status] || SHAPES.offline;
    // a flash-flood warning in force is written beside the marker (准备转移 / 立即转移), not only in its tooltip
    const warned = s.flood === 'prepare' || s.flood === 'immediate';
    const chip = warned ? `<span class="flood-chip ${esc(s.flood)}">${esc(t('floodShort')[s.flood])}</span>` : '';
    const icon = L.divIcon({ html: shapeSvg(s.status, chip), className: `site-marker ${s.status}`, iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
    const title = [s.name, statusWord(s.status), s.flood ? `${t('flood')}: ${floodWord(s.flood)}` : ''].filter(Boolean).join(' · ');
    const m = L.marker([s.lat, s.lon], { icon, status: s.status, zIndexOffset: RANK[s.status] * 100000 + (warned ? 50000 : 0), keyboard: true, title, alt: s.name });
    m.on('add', () => { const el = m.getElement(); el.dataset.site = s.id; el.dataset.status = s.status; if (s.flood) el.dataset.flood = s.flood; });
    m.on('click', () => onSite(s.id));
    return m;
  });
  clusters.addLayers(markers);
  container.dataset.placed = markers.length;
  state.placed = placed;
  if (!state.fitted) { state.fitted = true; fit(state); }
  let note = container.parentElement.querySelector('.map-note');
  if (!note) {
    note = document.createElement('p');
    note.className = 'note map-note';
    container.after(note);
  }
  note.innerHTML = `${legend()} <span>${esc(t('mapNote'))}</span>`;
  return map;
}

function fit({ map, placed }) {
  if (placed?.length) map.fitBounds(L.latLngBounds(placed.map((s) => [s.lat, s.lon])), { padding: [36, 36], maxZoom: 7, animate: false });
  else map.setView([35, 104], 4, { animate: false });
}

function legend() {
  return `<span class="map-legend">${['critical', 'warning', 'offline', 'ok'].map((s) => `<span class="item">${shapeSvg(s)} ${esc(statusWord(s))}</span>`).join('')}</span>`;
}
