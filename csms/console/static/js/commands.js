// The operator's command buttons for one station; each shows the station's answer.

import { ApiError, post } from './api.js';
import { enc, field, h, replace } from './ui.js';

const TRIGGERS = ['StatusNotification', 'BootNotification', 'MeterValues', 'Heartbeat',
  'FirmwareStatusNotification', 'DiagnosticsStatusNotification', 'LogStatusNotification'];

const int = (v) => (v === '' || v === null || v === undefined ? undefined : Number.parseInt(v, 10));

// Each command: a title, its inputs, and how the form's values become the request body.
function specs(station, active) {
  const evses = station.evses.map((e) => e.evse_id);
  const evseSelect = (name = 'evse_id', optional = true) => h('select', { name },
    optional ? h('option', { value: '' }, 'any / whole station') : null,
    evses.map((id) => h('option', { value: id }, `EVSE ${id}`)));
  return [
    { name: 'remote-start', title: 'Remote start',
      inputs: [['Id token', h('input', { name: 'id_token', required: true, maxlength: 36 })],
        ['EVSE', evseSelect()]],
      body: (f) => ({ id_token: f.id_token, evse_id: int(f.evse_id) }) },
    { name: 'remote-stop', title: 'Remote stop',
      inputs: [['Transaction', h('select', { name: 'transaction_id', required: true },
        active.map((t) => h('option', { value: t.id }, `${t.id} (EVSE ${t.evse_id})`)))]],
      body: (f) => ({ transaction_id: f.transaction_id }) },
    { name: 'reset', title: 'Reset',
      inputs: [['Type', h('select', { name: 'type' }, h('option', { value: 'soft' }, 'soft'),
        h('option', { value: 'hard' }, 'hard'))]],
      body: (f) => ({ type: f.type }), confirm: 'Reset the station?' },
    { name: 'unlock', title: 'Unlock connector',
      inputs: [['EVSE', evseSelect()], ['Connector', h('input', { name: 'connector_id', type: 'number', min: 0, value: 1, required: true })]],
      body: (f) => ({ evse_id: int(f.evse_id), connector_id: int(f.connector_id) }) },
    { name: 'change-availability', title: 'Availability',
      inputs: [['EVSE', evseSelect()], ['Set to', h('select', { name: 'operative' },
        h('option', { value: 'true' }, 'operative'), h('option', { value: 'false' }, 'inoperative'))]],
      body: (f) => ({ evse_id: int(f.evse_id), operative: f.operative === 'true' }) },
    { name: 'trigger-message', title: 'Trigger a message',
      inputs: [['Message', h('select', { name: 'message' }, TRIGGERS.map((m) => h('option', { value: m }, m)))],
        ['EVSE', evseSelect()]],
      body: (f) => ({ message: f.message, evse_id: int(f.evse_id) }) },
    { name: 'set-configuration', title: 'Set a configuration key',
      inputs: [['Key (2.0.1: Component.Variable)', h('input', { name: 'key', required: true, maxlength: 100 })],
        ['Value', h('input', { name: 'value', maxlength: 1000 })]],
      body: (f) => ({ key: f.key, value: f.value }) },
  ];
}

export function answerText(err) {
  if (!(err instanceof ApiError)) return String(err);
  const why = { 403: 'not allowed for your role', 404: 'unknown station or command',
    409: 'the station is offline', 502: 'the station answered with an error',
    504: 'the station did not answer in time' }[err.status];
  const detail = typeof err.detail === 'string' ? err.detail : JSON.stringify(err.detail);
  return `${err.status}${why ? ` (${why})` : ''}: ${detail}`;
}

export async function runCommand(stationId, name, body) {
  return post(`/stations/${enc(stationId)}/commands/${name}`, body);
}

export function commandPanel(station, active, onDone) {
  const forms = specs(station, active).map((spec) => {
    const answer = h('div', { class: 'answer', role: 'status', 'aria-live': 'polite', hidden: true,
      dataset: { answer: spec.name } });
    const button = h('button', { type: 'submit', class: 'primary' }, spec.title);
    const form = h('form', { class: 'panel', dataset: { command: spec.name }, 'aria-label': spec.title },
      h('h2', {}, spec.title),
      h('div', { class: 'row' }, spec.inputs.map(([label, input]) => field(label, input)), button),
      answer);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (spec.confirm && !window.confirm(spec.confirm)) return;
      const values = Object.fromEntries(new FormData(form));
      const body = JSON.parse(JSON.stringify(spec.body(values)));  // drops undefined fields
      button.disabled = true;
      answer.hidden = false;
      replace(answer, 'Waiting for the station…');
      try {
        const out = await runCommand(station.id, spec.name, body);
        replace(answer, h('strong', { class: out?.status === 'Accepted' ? 'ok' : 'warn' },
          `Station answered: ${out?.status ?? 'ok'}`), h('pre', {}, JSON.stringify(out, null, 2)));
        onDone?.();
      } catch (err) {
        replace(answer, h('strong', { class: 'error' }, answerText(err)));
      } finally {
        button.disabled = false;
      }
    });
    return form;
  });
  return h('div', { class: 'grid' }, forms);
}
