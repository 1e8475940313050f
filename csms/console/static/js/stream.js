// The live event stream (GET /api/v1/events). EventSource cannot send an Authorization
// header, so the stream is read with fetch() and parsed here (the text/event-stream format:
// "event:", "data:", "id:" lines, a blank line ends an event). On a drop it reconnects with
// backoff and sends Last-Event-ID, so that a server that numbers its events can resume.

import { auth, url } from './api.js';

export const events = new EventTarget();  // each event: CustomEvent(type, {detail: data})
let controller = null;
let lastId = null;
let state = 'off';

function setState(next) {
  state = next;
  events.dispatchEvent(new CustomEvent('stream-state', { detail: next }));
}

export function streamState() { return state; }

export function startStream() {
  stopStream();
  controller = new AbortController();
  run(controller.signal);
}

export function stopStream() {
  if (controller) controller.abort();
  controller = null;
  setState('off');
}

async function run(signal) {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${auth.token}` };
      if (lastId !== null) headers['Last-Event-ID'] = lastId;
      const res = await fetch(url('/events'), { headers, signal, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) { setState('denied'); return; }
      if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
      setState('on');
      delay = 1000;
      await read(res.body, signal);
    } catch (err) {
      if (signal.aborted) return;
    }
    setState('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}

async function read(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ev = { type: 'message', data: [], id: null };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) return;
      buffer += value;
      let nl;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (ev.data.length) dispatch(ev);
          ev = { type: 'message', data: [], id: null };
          continue;
        }
        if (line.startsWith(':')) continue;  // a comment: keepalive
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'event') ev.type = val;
        else if (name === 'data') ev.data.push(val);
        else if (name === 'id') ev.id = val;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function dispatch(ev) {
  if (ev.id !== null) lastId = ev.id;
  let data;
  try { data = JSON.parse(ev.data.join('\n')); } catch { data = ev.data.join('\n'); }
  events.dispatchEvent(new CustomEvent(ev.type, { detail: data }));
  events.dispatchEvent(new CustomEvent('any', { detail: { type: ev.type, data } }));
}
