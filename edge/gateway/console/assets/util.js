// Shared helpers: DOM building, calls to the gateway (JSON, problem+json, bearer token), formatting.

// The gateway's root: the console's files are served under /console/, the system's API beside it.
export const ROOT = new URL('..', import.meta.url);

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = v;
    else if (k in el && !(el instanceof SVGElement) && k !== 'list' && k !== 'form') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h('button', {class: 'x', onclick: f}, 'text', child, [more]) — an HTML element.
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
// s('rect', {x: 1}) — an SVG element.
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

// The bearer token of a system with OAuth (kept for this tab only).
const TOKEN_KEY = 'reservo.console.token';
export const auth = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() { return sessionStorage.getItem(TOKEN_KEY + '.user'); },
  set(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(TOKEN_KEY + '.user', user);
    window.dispatchEvent(new Event('reservo-auth'));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(TOKEN_KEY + '.user');
    window.dispatchEvent(new Event('reservo-auth'));
  },
};

// A refusal from the gateway or a service: status, and the problem+json body when there is one.
export class ApiError extends Error {
  constructor(status, statusText, body, text) {
    const p = body && typeof body === 'object' ? body : {};
    super(p.detail || p.error_description || p.title || p.error || text || statusText || 'request failed');
    this.status = status;
    this.statusText = statusText;
    this.problem = p;
  }
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// One call to the gateway. `body` goes as JSON (or `form` as x-www-form-urlencoded); the answer's
// JSON is returned as {status, data, headers}; a non-2xx answer throws an ApiError.
export async function call(method, path, { body, form, headers = {}, timeoutMs = 10000, bearer = true } = {}) {
  const url = new URL(path.replace(/^\//, ''), ROOT);
  const h = { Accept: 'application/hal+json, application/json, application/problem+json', ...headers };
  let payload;
  if (form) {
    h['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (bearer && auth.token && !h.Authorization) h.Authorization = 'Bearer ' + auth.token;
  let res;
  try {
    res = await fetch(url, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new ApiError(0, e.name === 'TimeoutError' ? 'no answer in time' : 'gateway unreachable', null, e.message);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, res.statusText, data, text);
  return { status: res.status, data, headers: res.headers };
}

export const get = (path, opts) => call('GET', path, opts).then((r) => r.data);

// An error shown the way problem+json means it: status and title, the detail, the type.
export function problemView(err) {
  const p = err.problem || {};
  const status = err.status || p.status;
  const title = p.title || p.error || err.statusText || (status ? '' : 'Network error');
  return h('div', { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-head' }, h('strong', {}, status ? String(status) : '—'), ' ', title),
    h('p', {}, err.message),
    p.type && p.type !== 'about:blank' ? h('p', { class: 'muted small' }, p.type) : null,
    status === 401 ? h('p', { class: 'small' }, 'This system wants a token: log in on ', h('a', { href: '#/mypage' }, 'MyPage'), '.') : null);
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export const today = (days = 0) => {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().slice(0, 10);
};

// A stable colour per string (trace ids, event types).
export function hue(str) {
  let x = 0;
  for (const c of String(str)) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  return x % 360;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The items of a HAL collection answer (`_embedded.<rel>`), whatever the rel's name.
export function embedded(data, rel) {
  const e = (data && data._embedded) || {};
  if (rel && Array.isArray(e[rel])) return e[rel];
  const first = Object.values(e).find(Array.isArray);
  return first || [];
}
