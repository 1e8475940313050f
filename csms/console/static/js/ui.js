// DOM helpers. Everything from the API goes in as text (never as HTML), so a station id or
// a frame cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function kw(w, digits = 1) {
  return w === null || w === undefined ? '–' : `${(w / 1000).toFixed(digits)} kW`;
}

export function kwh(wh, digits = 1) {
  return wh === null || wh === undefined ? '–' : `${(wh / 1000).toFixed(digits)} kWh`;
}

export function pct(x) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${Math.round(x * 100)} %`;
}

export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function badge(text, cls = text) {
  return h('span', { class: `badge ${cls}` }, text);
}

// A table from rows; columns: [{label, get(row) -> node|text, num?, wide?}]
export function table(columns, rows, { caption, empty = 'Nothing yet.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  const cls = (c) => [c.num && 'num', c.wide && 'wide'].filter(Boolean).join(' ') || null;
  return h('table', {},
    caption ? h('caption', { class: 'muted' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: cls(c) }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: cls(c) }, c.get(r)))))));
}

export function notAvailable(what) {
  return h('p', { class: 'na' }, `${what}: not available on this server.`);
}

export function errorText(err) {
  return h('p', { class: 'error', role: 'alert' }, err?.message || String(err));
}

export function panel(title, ...children) {
  return h('section', { class: 'panel', 'aria-label': title }, h('h2', {}, title), ...children);
}

export function card(label, value, testid) {
  return h('div', { class: 'card', dataset: testid ? { testid } : {} },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

export function field(label, input) {
  return h('label', {}, label, input);
}

export function link(href, text) {
  return h('a', { href }, text);
}

export function enc(s) {
  return encodeURIComponent(s);
}
