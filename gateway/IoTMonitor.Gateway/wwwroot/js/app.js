// The dashboard: hash routes #/ (overview, refreshed every 30 s), #/site/{id} (its remote config and
// commands refreshed) and #/metering[/{district}] (flow and volume per channel); asks for an API key once.
import { apiKey, ApiError, esc } from './api.js';
import { showOverview } from './overview.js';
import { t, lang, setLang, zone, setZone, ZONES } from './i18n.js';

const app = document.getElementById('app');
const signout = document.getElementById('signout');
let timer;
let routes = 0; // which route() call is the newest

// the header and key form in the chosen language; the language and zone switches
function words(root = document) {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  root.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
}
const langSel = document.getElementById('lang'), zoneSel = document.getElementById('zone');
function switches() {
  langSel.value = lang();
  zoneSel.innerHTML = ZONES.map(([id, name]) => `<option value="${id}">${name || t('zoneLocal')}</option>`).join('');
  zoneSel.value = zone();
}
langSel.addEventListener('change', () => { setLang(langSel.value); words(); switches(); route(); });
zoneSel.addEventListener('change', () => { setZone(zoneSel.value); route(); });
words();
switches();

function askKey(message) {
  app.replaceChildren(document.getElementById('key-form').content.cloneNode(true));
  words(app);
  app.querySelector('#key-error').textContent = message || '';
  app.querySelector('#keyform').addEventListener('submit', (ev) => {
    ev.preventDefault();
    apiKey.set(app.querySelector('#key').value.trim());
    route();
  });
}

async function route() {
  clearInterval(timer);
  const turn = ++routes;
  if (!apiKey.get()) { signout.hidden = true; askKey(); return; }
  signout.hidden = false;
  const m = location.hash.match(/^#\/site\/([^/]+)$/);
  const metering = location.hash.match(/^#\/metering(?:\/([^/]+))?$/);
  try {
    if (metering) {
      const { showMetering } = await import('./metering.js');
      const district = metering[1] ? decodeURIComponent(metering[1]) : null;
      await showMetering(app, district);
      if (turn === routes) timer = setInterval(() => showMetering(app, district).catch(() => {}), 60000);
    } else if (m) {
      const { showSite } = await import('./site.js'); // not needed for the overview's first paint
      const { REFRESH_MS } = await import('./downlink.js');
      const refresh = await showSite(app, decodeURIComponent(m[1]));
      // remote config and commands change when a node connects: poll them while this page stays open
      if (turn === routes) timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
    } else {
      await showOverview(app);
      timer = setInterval(() => showOverview(app).catch(() => {}), 30000);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { apiKey.clear(); askKey(t('keyRefused')); return; }
    app.innerHTML = `<p class="error">${esc(e.message)}</p>`;
  }
}

signout.addEventListener('click', () => { apiKey.clear(); route(); });
window.addEventListener('hashchange', route);
route();
