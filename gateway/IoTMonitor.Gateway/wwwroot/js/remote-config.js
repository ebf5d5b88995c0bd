// A device's remote config (GET/PATCH /api/v1/devices/{device}/config): its state at a glance, the
// desired overlay's values, and, for operators, a form that changes sampleSec and uploadSec.
import { api, esc, ago } from './api.js';
import { refusal } from './access.js';

const STATE_CLASS = { none: 'offline', pending: 'warning', applied: 'ok', rejected: 'critical' };
const SECONDS = new Set(['sampleSec', 'uploadSec', 'maxAwakeSec']);
const ORDER = ['sampleSec', 'uploadSec', 'batchMax', 'maxAwakeSec', 'calMaxAgeDays', 'thresholds', 'calibrations'];
const EDITABLE = ['sampleSec', 'uploadSec'];

// the state as a coloured badge (also the site's device table shows it)
export const configBadge = (state) => `<span class="badge ${STATE_CLASS[state] || 'offline'}" data-state="${esc(state)}">${esc(state)}</span>`;

export function renderConfig(box, doc) {
  const { state, desired, acked } = doc;
  const config = desired?.config || {};
  const badge = configBadge(state);
  let line;
  if (state === 'none') line = 'no remote config: the node runs its flashed config';
  else if (state === 'pending') line = `rev ${desired.rev} is pending — the node answers when it next connects (${config.uploadSec ? `it uploads every ${config.uploadSec} s` : 'up to its upload interval away'})`;
  else if (state === 'applied') line = `the node runs rev ${desired.rev}`;
  else line = `<strong class="err-name">${esc(acked.errName)}</strong> (err ${esc(acked.err)}): the node refused rev ${desired.rev} and keeps its previous config`;
  const revs = desired ? `<p class="note revs">desired rev <b class="desired-rev">${desired.rev}</b>, set by ${esc(desired.by)} ${ago(desired.at)} · `
    + (acked ? `node answered rev <b class="acked-rev">${acked.rev}</b> (${acked.ok ? 'ok' : esc(acked.errName)}) ${ago(acked.at)}` : 'no answer from the node yet') + '</p>' : '';
  const keys = [...ORDER.filter((k) => k in config), ...Object.keys(config).filter((k) => !ORDER.includes(k))];
  const values = !desired ? '' : keys.length
    ? `<table class="overlay">${keys.map((k) => `<tr data-key="${esc(k)}"><th>${esc(k)}</th><td>${value(k, config[k])}</td></tr>`).join('')}</table>`
    : '<p class="note">Empty overlay: the node is back on its flashed config.</p>';
  box.innerHTML = `<p class="config-line">${badge} ${line}</p>${revs}${values}`;
}

function value(key, v) {
  if (key === 'thresholds') return v.map((t) => esc([t.q, t.above != null ? `above ${t.above}` : '', t.below != null ? `below ${t.below}` : ''].filter(Boolean).join(' '))).join('<br>');
  if (key === 'calibrations') return v.map((c) => `${esc(c.sensor)}: <span class="cal-id">${esc(c.id)}</span> (${esc(c.kind)})`).join('<br>');
  if (SECONDS.has(key)) return `${esc(v)} s`;
  return esc(typeof v === 'object' ? JSON.stringify(v) : v);
}

// Operators: sampleSec and uploadSec, sent as a merge-patch of the fields changed (empty = back to the
// flashed value). Ranges are the API's to check: its 400 message is shown as it comes.
export function intervalForm(box, device, onSaved) {
  box.innerHTML = `<form class="interval-form toolbar" novalidate>
      ${EDITABLE.map((k) => `<label>${k} <input name="${k}" inputmode="numeric" size="7" placeholder="flashed" autocomplete="off"> s</label>`).join('')}
      <button type="submit">Apply</button></form>
    <p class="note">Empty = the flashed value. A <code>set_interval</code> command overrides sampleSec.</p>
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
    if (!Object.keys(patch).length) { result.textContent = 'Nothing changed.'; return; }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const doc = await api(`/devices/${encodeURIComponent(device)}/config`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(patch) });
      edited = false;
      result.textContent = `Rev ${doc.desired.rev} stored — pending: the node answers when it next connects.`;
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
