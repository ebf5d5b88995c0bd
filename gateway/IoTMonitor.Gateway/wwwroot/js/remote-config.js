// A device's remote config (GET/PATCH /api/v1/devices/{device}/config): its state at a glance, the
// desired overlay's values, and, for operators, a form that changes sampleSec and uploadSec.
import { api, esc, ago } from './api.js';
import { refusal } from './access.js';
import { t } from './i18n.js';

const STATE_CLASS = { none: 'offline', pending: 'warning', applied: 'ok', rejected: 'critical' };
const SECONDS = new Set(['sampleSec', 'uploadSec', 'maxAwakeSec']);
const ORDER = ['sampleSec', 'uploadSec', 'batchMax', 'maxAwakeSec', 'calMaxAgeDays', 'thresholds', 'calibrations'];
const EDITABLE = ['sampleSec', 'uploadSec'];

// the state as a coloured badge (also the site's device table shows it)
export const configBadge = (state) => `<span class="badge ${STATE_CLASS[state] || 'offline'}" data-state="${esc(state)}" title="${esc(state)}">${esc(t('cfgStates')[state] || state)}</span>`;
// a config key in words, its wire name beside it for the technician
const keyName = (k) => { const w = t('cfgKeys')[k]; return w && w !== k ? `${esc(w)} <code>${esc(k)}</code>` : `<code>${esc(k)}</code>`; };

export function renderConfig(box, doc) {
  const { state, desired, acked } = doc;
  const config = desired?.config || {};
  const badge = configBadge(state);
  let line;
  if (state === 'none') line = esc(t('cfgNone'));
  else if (state === 'pending') line = esc(t('cfgPending', desired.rev, config.uploadSec));
  else if (state === 'applied') line = esc(t('cfgApplied', desired.rev));
  else line = `<strong class="err-name">${esc(acked.errName)}</strong> (err ${esc(acked.err)})${esc(t('cfgRejected', desired.rev))}`;
  // the revision numbers stay in their own elements (read by tests and by eye); the words come around them
  const mark = (cls, rev) => `\u0001${cls}:${rev}\u0002`;
  const html = (text) => esc(text).replace(/\u0001([a-z-]+):(\d+)\u0002/g, '<b class="$1">$2</b>');
  const revs = desired ? `<p class="note revs">${html(t('cfgDesired', mark('desired-rev', desired.rev), desired.by, ago(desired.at)))} · `
    + (acked ? html(t('cfgAnswered', mark('acked-rev', acked.rev), acked.ok ? 'ok' : acked.errName, ago(acked.at))) : esc(t('cfgNoAnswer'))) + '</p>' : '';
  const keys = [...ORDER.filter((k) => k in config), ...Object.keys(config).filter((k) => !ORDER.includes(k))];
  const values = !desired ? '' : keys.length
    ? `<table class="overlay">${keys.map((k) => `<tr data-key="${esc(k)}"><th>${keyName(k)}</th><td>${value(k, config[k])}</td></tr>`).join('')}</table>`
    : `<p class="note">${esc(t('cfgEmpty'))}</p>`;
  box.innerHTML = `<p class="config-line">${badge} ${line}</p>${revs}${values}`;
}

function value(key, v) {
  if (key === 'thresholds') return v.map((x) => esc([x.q, x.above != null ? `${t('above')} ${x.above}` : '', x.below != null ? `${t('below')} ${x.below}` : ''].filter(Boolean).join(' '))).join('<br>');
  if (key === 'calibrations') return v.map((c) => `${esc(c.sensor)}: <span class="cal-id">${esc(c.id)}</span> (${esc(c.kind)})`).join('<br>');
  if (SECONDS.has(key)) return esc(t('seconds', v));
  return esc(typeof v === 'object' ? JSON.stringify(v) : v);
}

// Operators: sampleSec and uploadSec, sent as a merge-patch of the fields changed (empty = back to the
// flashed value). Ranges are the API's to check: its 400 message is shown as it comes.
export function intervalForm(box, device, onSaved) {
  box.innerHTML = `<form class="interval-form toolbar" novalidate>
      ${EDITABLE.map((k) => `<label>${keyName(k)} <input name="${k}" inputmode="numeric" size="7" placeholder="${esc(t('flashed'))}" autocomplete="off"> ${esc(t('secUnit'))}</label>`).join('')}
      <button type="submit">${esc(t('apply'))}</button></form>
    <p class="note">${esc(t('cfgHelp'))}</p>
    <p class="error config-error" role="alert"></p><p class="note config-result"></p>`;
  const form = box.querySelector('form'), error = box.querySelector('.config-error'), result = box.querySelector('.config-result');
  let current = {}, edited = false;
  const fill = () => { for (const k of EDITABLE) form.elements[k].value = current[k] ?? ''; };
  form.addEventListener('input', () => { edited = true; });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = ''; result.textContent = '';
    const patch = {};
    for (const k of EDITABLE) {
      const text = form.elements[k].value.trim();
      if (text === String(current[k] ?? '')) continue;
      patch[k] = text === '' ? null : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    }
    if (!Object.keys(patch).length) { result.textContent = t('nothingChanged'); return; }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const doc = await api(`/devices/${encodeURIComponent(device)}/config`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(patch) });
      edited = false;
      result.textContent = t('cfgStored', doc.desired.rev);
      onSaved(doc);
    } catch (e) {
      error.textContent = refusal(e);
    } finally {
      button.disabled = false;
    }
  });
  // the form follows the stored overlay until someone types into it
  return (doc) => { current = doc.desired?.config || {}; if (!edited) fill(); };
}
