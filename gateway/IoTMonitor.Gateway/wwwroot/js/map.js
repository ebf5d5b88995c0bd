// Sites on a map drawn without tiles: the outline in data/outline.json (approximate, hand-made) and
// the sites, both projected equirectangularly (x = lon·cos(mid-latitude), y = −lat).
import { esc } from './api.js';

let outline;

export async function drawMap(container, sites, onSite) {
  outline ??= await (await fetch('data/outline.json')).json();
  const feats = outline.features;
  const pts = [];
  for (const f of feats) for (const ring of rings(f.geometry)) pts.push(...ring);
  for (const s of sites) if (s.lat != null) pts.push([s.lon, s.lat]);
  const lons = pts.map((p) => p[0]), lats = pts.map((p) => p[1]);
  const [lon0, lon1, lat0, lat1] = [Math.min(...lons) - 1, Math.max(...lons) + 1, Math.min(...lats) - 1, Math.max(...lats) + 1];
  const k = Math.cos(((lat0 + lat1) / 2) * Math.PI / 180);
  const x = (lon) => (lon - lon0) * k, y = (lat) => lat1 - lat;
  const w = (lon1 - lon0) * k, h = lat1 - lat0;
  const path = (ring) => ring.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(3)},${y(p[1]).toFixed(3)}`).join('');
  let svg = `<svg class="map" viewBox="0 0 ${w.toFixed(2)} ${h.toFixed(2)}" role="img" aria-label="Map of sites">`;
  for (const f of feats) {
    const cls = f.properties.kind;
    const d = rings(f.geometry).map((r) => path(r) + (f.geometry.type === 'LineString' ? '' : 'Z')).join('');
    svg += `<path class="${esc(cls)}" d="${d}"><title>${esc(f.properties.name)}</title></path>`;
    if (f.properties.label) {
      const [lx, ly] = f.properties.label;
      svg += `<text x="${x(lx).toFixed(2)}" y="${y(ly).toFixed(2)}">${esc(f.properties.name)}</text>`;
    }
  }
  for (const s of sites) {
    if (s.lat == null) continue;
    svg += `<circle class="site ${esc(s.status)}" data-site="${esc(s.id)}" cx="${x(s.lon).toFixed(3)}" cy="${y(s.lat).toFixed(3)}" r="0.55"><title>${esc(s.name)} (${esc(s.status)})</title></circle>`;
  }
  svg += '</svg><p class="note">Outline and basins are approximate, hand-drawn from rounded coordinates; not for navigation.</p>';
  container.innerHTML = svg;
  container.querySelectorAll('circle.site').forEach((c) => c.addEventListener('click', () => onSite(c.dataset.site)));
}

function rings(g) {
  if (g.type === 'Polygon') return g.coordinates;
  if (g.type === 'MultiPolygon') return g.coordinates.flat();
  if (g.type === 'LineString') return [g.coordinates];
  return [];
}
