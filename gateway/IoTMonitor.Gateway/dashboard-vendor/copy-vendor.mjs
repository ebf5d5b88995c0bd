// Copies the dashboard's browser libraries from node_modules (installed by `npm ci` from
// package-lock.json) into ../wwwroot/vendor, with their licences, and builds the map's basemap:
// Natural Earth country borders (world-atlas, 1:50m) converted from TopoJSON to GeoJSON with
// topojson-client, cut to the region the dashboard shows and rounded to 0.001° (about 100 m).
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
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1000) / 1000, Math.round(c[1] * 1000) / 1000] : c.map(round));
const inBox = (c) => (typeof c[0] === 'number' ? c[0] >= BOX.w && c[0] <= BOX.e && c[1] >= BOX.s && c[1] <= BOX.n : c.some(inBox));
const features = all.features
  .filter((f) => f.geometry && inBox(f.geometry.coordinates))
  .map((f) => ({ type: 'Feature', id: f.id, properties: { name: f.properties.name }, geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));
writeFileSync(join(out, 'world-atlas', 'countries-asia-50m.json'), JSON.stringify({ type: 'FeatureCollection', features }));
console.log(`copy-vendor: ${Object.keys(files).length} packages, basemap of ${features.length} countries -> ${out}`);
