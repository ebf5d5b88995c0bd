// Calls to the gateway API with the key kept in this browser (localStorage).
const KEY = 'iotmon.apiKey';

export const apiKey = {
  get: () => localStorage.getItem(KEY),
  set: (k) => localStorage.setItem(KEY, k),
  clear: () => localStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, detail) { super(detail || `HTTP ${status}`); this.status = status; }
}

// a GET that index.html already started (once; later calls fetch anew)
function early(path, options) {
  const started = window.iotmonEarly?.[path];
  if (!started || options.method) return null;
  delete window.iotmonEarly[path];
  return started.catch(() => null);
}

export async function api(path, options = {}) {
  const headers = { 'X-Api-Key': apiKey.get() || '', ...(options.headers || {}) };
  const res = (await early(path, options)) || await fetch('/api/v1' + path, { ...options, headers });
  if (!res.ok) {
    let detail = '';
    try { detail = (await res.json()).detail; } catch { /* not json */ }
    throw new ApiError(res.status, detail);
  }
  return res.status === 204 ? null : res.json();
}

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

import { floodWord } from './i18n.js';

export { ago } from './i18n.js';

// a status as a coloured badge with its shape (colour is not the only cue) and its word
export const badge = (status, word) => `<span class="badge ${esc(status)}" data-status="${esc(status)}"><i class="shape"></i>${esc(word ?? status)}</span>`;
// a site's flash-flood warning level as a badge: evacuate immediately red, prepare amber, none green
export const floodBadge = (level) => badge(level === 'immediate' ? 'critical' : level === 'prepare' ? 'warning' : 'ok', floodWord(level))
  .replace('<span class="badge', `<span data-flood="${esc(level)}" class="flood badge`);
