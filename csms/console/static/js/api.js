// The public API, with the bearer token the person signed in with (kept in sessionStorage so
// that it dies with the tab). Every request goes to /api/v1 on this origin.

const KEY = 'csms.token';
const LABEL = 'csms.label';

export const auth = {
  get token() { return sessionStorage.getItem(KEY); },
  get label() { return sessionStorage.getItem(LABEL) || ''; },
  set(token, label) {
    sessionStorage.setItem(KEY, token);
    sessionStorage.setItem(LABEL, label);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(LABEL);
  },
};

export const signals = new EventTarget();

export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
    this.status = status;
    this.detail = detail;
  }
  // The route itself does not exist (an older server): the page says "not available".
  get missing() {
    return (this.status === 404 && this.detail === 'Not Found') || this.status === 405;
  }
  get forbidden() { return this.status === 403; }
}

export function url(path, query = {}) {
  const u = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(query)) {
    if (v !== null && v !== undefined && v !== '') u.searchParams.set(k, String(v));
  }
  return u;
}

export async function request(path, { method = 'GET', body, query, token = auth.token } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url(path, query), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let detail = res.statusText;
    try { detail = (await res.json()).detail ?? detail; } catch { /* not JSON */ }
    if (res.status === 401 && token && token === auth.token) signals.dispatchEvent(new Event('unauthorized'));
    throw new ApiError(res.status, detail);
  }
  if (res.status === 204) return null;
  const out = await res.json();
  const total = res.headers.get('X-Total-Count');
  if (Array.isArray(out) && total !== null) totals.set(out, Number(total));
  return out;
}

// The number of all matching rows of a paged list, when the server says it.
const totals = new WeakMap();
export const totalOf = (rows) => totals.get(rows) ?? null;

export const get = (path, query) => request(path, { query });
export const post = (path, body) => request(path, { method: 'POST', body: body ?? {} });
export const patch = (path, body) => request(path, { method: 'PATCH', body });
export const del = (path) => request(path, { method: 'DELETE' });

// A GET that answers null when the route does not exist on this server.
export async function optional(path, query) {
  try {
    return await get(path, query);
  } catch (err) {
    if (err instanceof ApiError && (err.missing || err.forbidden)) return null;
    throw err;
  }
}

// Downloads an export with the bearer token (a plain link could not carry it).
export async function download(path, query, filename) {
  const res = await fetch(url(path, query), { headers: { Authorization: `Bearer ${auth.token}` } });
  if (!res.ok) {
    let detail = res.statusText;
    try { detail = (await res.json()).detail ?? detail; } catch { /* not JSON */ }
    throw new ApiError(res.status, detail);
  }
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// The routes this server has, from its OpenAPI description (read once).
let routes = null;
export async function hasRoute(method, path) {
  if (!routes) {
    routes = fetch('/openapi.json').then((r) => (r.ok ? r.json() : { paths: {} }))
      .then((doc) => doc.paths || {}).catch(() => ({}));
  }
  const paths = await routes;
  return Boolean(paths[`/api/v1${path}`]?.[method.toLowerCase()]);
}
