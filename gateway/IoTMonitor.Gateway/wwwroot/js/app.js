// The dashboard: hash routes #/ (overview) and #/site/{id}; asks for an API key once.
import { apiKey, ApiError, esc } from './api.js';
import { showOverview } from './overview.js';

const app = document.getElementById('app');
const signout = document.getElementById('signout');
let timer;

function askKey(message) {
  app.replaceChildren(document.getElementById('key-form').content.cloneNode(true));
  app.querySelector('#key-error').textContent = message || '';
  app.querySelector('#keyform').addEventListener('submit', (ev) => {
    ev.preventDefault();
    apiKey.set(app.querySelector('#key').value.trim());
    route();
  });
}

async function route() {
  clearInterval(timer);
  if (!apiKey.get()) { signout.hidden = true; askKey(); return; }
  signout.hidden = false;
  const m = location.hash.match(/^#\/site\/([^/]+)$/);
  try {
    if (m) {
      const { showSite } = await import('./site.js'); // not needed for the overview's first paint
      await showSite(app, decodeURIComponent(m[1]));
    } else {
      await showOverview(app);
      timer = setInterval(() => showOverview(app).catch(() => {}), 30000);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { apiKey.clear(); askKey('That key was not accepted.'); return; }
    app.innerHTML = `<p class="error">${esc(e.message)}</p>`;
  }
}

signout.addEventListener('click', () => { apiKey.clear(); route(); });
window.addEventListener('hashchange', route);
route();
