// Copies the dashboard's browser libraries from node_modules (installed by `npm ci` from
// package-lock.json) into ../wwwroot/vendor, with their licences, and builds the map's basemap:
// Natural Earth country borders (world-atlas, 1:50m) converted from TopoJSON to GeoJSON with
// topojson-client, cut to the region the dashboard shows and rounded to 0.01° (about 1 km).
// Run by the gateway's build (IoTMonitor.Gateway.csproj, target DashboardVendor); safe to re-run.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));
const mod = (...p) => join(here, 'node_modules', ...p);
const out = join(here, '..', 'wwwroot', 'vendor');
rmSync(out, { recursive: true, force: true });

const files = {
  uplot: ['dist/uPlot.esm.js', 'dist/uPlot.min.css', 'LICENSE'],
  leaflet: ['dist/leaflet.js', 'dist/leaflet.css', 'LICENSE'],
  'leaflet.markercluster': ['dist/leaflet.markercluster.js', 'dist/MarkerCluster.css', 'MIT-LICENCE.txt'],
  'world-atlas': ['LICENSE'],
};
for (const [pkg, list] of Object.entries(files)) {
  const version = JSON.parse(readFileSync(mod(pkg, 'package.json'), 'utf8')).version;
  for (const f of list) {
    const to = join(out, pkg, f.replace(/^dist\//, ''));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(mod(pkg, f), to);
  }
  writeFileSync(join(out, pkg, 'VERSION'), version + '\n');
}

// the basemap: countries whose outline reaches into 60-150° E, 0-56° N (China and its neighbours)
const BOX = { w: 60, e: 150, s: 0, n: 56 };
const topo = JSON.parse(readFileSync(mod('world-atlas', 'countries-50m.json'), 'utf8'));
const all = feature(topo, topo.objects.countries);
const inBox = (c) => (typeof c[0] === 'number' ? c[0] >= BOX.w && c[0] <= BOX.e && c[1] >= BOX.s && c[1] <= BOX.n : c.some(inBox));
// a ring rounded to 0.01° (about 1 km, finer than a screen pixel at the zooms a region is viewed at),
// with the points that rounding made equal dropped; a ring left with < 4 points is dropped
const ring = (r) => {
  const out = [];
  for (const [x, y] of r) {
    const p = [Math.round(x * 100) / 100, Math.round(y * 100) / 100];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : null;
};
const polygon = (rings) => { const rs = rings.map(ring); return rs[0] ? rs.filter(Boolean) : null; };
const features = [];
for (const f of all.features) {
  if (!f.geometry) continue;
  // of a country's polygons, those that reach into the box
  const polys = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).filter(inBox).map(polygon).filter(Boolean);
  if (polys.length) features.push({ type: 'Feature', id: f.id, properties: { name: f.properties.name }, geometry: { type: 'MultiPolygon', coordinates: polys } });
}
writeFileSync(join(out, 'world-atlas', 'countries-asia-50m.json'), JSON.stringify({ type: 'FeatureCollection', features }));
console.log(`copy-vendor: ${Object.keys(files).length} packages, basemap of ${features.length} countries -> ${out}`);
