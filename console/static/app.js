// The compliance console: inboxes per obligation, an item's detail with its actions, the journal and availability.
import { h, clear } from './dom.js';
import { cardForm, readPatch, renderCard, cardDateTime, EVENT_KINDS } from './card.js';
import { renderJournal, renderAvailability } from './views.js';

const $ = (sel) => document.querySelector(sel);
const STATUSES = {
  incidents: [
    ['ACTIVE', 'all open'],
    'OPEN',
    'SUBMITTING',
    'SUBMISSION_FAILED',
    'ESCALATED',
    'SUBMITTED',
    'SUBMITTED_LATE',
    'CLOSED',
  ],
  submissions: [
    ['', 'rejected or failed'],
    'REJECTED',
    'FAILED',
    'RETRYING',
    'WAITING_MAINTENANCE',
    'ACKNOWLEDGED',
    'CORRECTED',
    'ACCEPTED',
  ],
  reviews: [['', 'awaiting review'], 'IN_REVIEW'],
  reconciliation: [['OPEN', 'open differences'], 'RESOLVED', 'ALL'],
};
const state = { me: undefined, tab: 'incidents', items: [], selected: undefined };

export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
  });
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text();
  if (res.status === 401 && path !== '/api/login') showLogin();
  if (!res.ok) throw new Error(data?.error?.message ?? `${res.status} ${res.statusText}`);
  return data;
}

export function flash(message, kind = 'ok') {
  clear($('#flash'), message ? h('span', { class: kind }, message) : undefined);
}

const can = (p) => state.me?.permissions.includes(p);

export function timeLeft(dueAt) {
  if (!dueAt) return '';
  const left = Date.parse(dueAt) - Date.now();
  const abs = Math.abs(left);
  const text = `${Math.floor(abs / 3600_000)}h ${String(Math.floor((abs % 3600_000) / 60_000)).padStart(2, '0')}m`;
  return left >= 0 ? text : `overdue ${text}`;
}

export const local = (iso) =>
  iso ? new Date(iso).toLocaleString('ru-KZ', { timeZone: 'Asia/Almaty', dateStyle: 'short', timeStyle: 'short' }) : '';

function showLogin() {
  $('#app').hidden = true;
  $('#login').hidden = false;
  clear($('#who'));
}

async function start() {
  try {
    state.me = await api('GET', '/api/me');
  } catch {
    return showLogin();
  }
  $('#login').hidden = true;
  $('#app').hidden = false;
  clear(
    $('#who'),
    h('span', { 'data-testid': 'who' }, `${state.me.login} · ${state.me.role}`),
    h('button', { class: 'secondary', onclick: signOut }, 'Sign out'),
  );
  $('#new-incident').hidden = !can('act');
  await openTab(state.tab);
}

async function signOut() {
  await api('POST', '/api/logout');
  state.me = undefined;
  showLogin();
}

async function openTab(tab) {
  state.tab = tab;
  state.selected = undefined;
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
  const inbox = ['incidents', 'submissions', 'reviews', 'reconciliation'].includes(tab);
  $('#recon-bar').hidden = tab !== 'reconciliation';
  $('#recon-run').hidden = !can('act');
  $('#inbox-view').hidden = !inbox;
  $('#journal-view').hidden = tab !== 'journal';
  $('#availability-view').hidden = tab !== 'availability';
  flash('');
  if (tab === 'journal') return renderJournal($('#journal-view'));
  if (tab === 'availability') return renderAvailability($('#availability-view'), state.me);
  const status = $('#filters select[name=status]');
  clear(
    status,
    ...STATUSES[tab].map((s) => (Array.isArray(s) ? h('option', { value: s[0] }, s[1]) : h('option', { value: s }, s))),
  );
  $('#new-incident').hidden = tab !== 'incidents' || !can('act');
  await loadInbox();
}

function filters() {
  const form = new FormData($('#filters'));
  const q = new URLSearchParams();
  for (const key of ['status', 'counterpart', 'bettor', 'from', 'to'])
    if (form.get(key)) q.set(key, String(form.get(key)).trim());
  if (form.get('mine')) q.set('assignee', state.me.login);
  return q;
}

async function loadInbox() {
  // POST: the bettor filter may be an IIN, which must never travel in a URL.
  const page = await api('POST', `/api/inboxes/${state.tab}/search`, Object.fromEntries(filters()));
  state.items = page.items;
  const notice = $('#notice');
  notice.hidden = !page.notice;
  notice.textContent = page.notice ? `This inbox is not available yet: ${page.notice}.` : '';
  const count = document.querySelector(`[data-count="${state.tab}"]`);
  if (count) count.textContent = String(page.items.length);
  renderItems();
  if (state.selected) await showItem(state.selected);
  else clear($('#detail')).hidden = true;
}

function renderItems() {
  const rows = state.items.map((item) =>
    h(
      'tr',
      {
        'data-testid': 'item-row',
        'data-id': item.id,
        class: [item.id === state.selected ? 'selected' : '', item.flags.includes('ESCALATED') ? 'escalated' : ''].join(
          ' ',
        ),
        onclick: () => showItem(item.id),
      },
      h('td', {}, local(item.dueAt)),
      item.met
        ? h(
            'td',
            { class: item.met === 'LATE' ? 'overdue' : 'met' },
            item.met === 'LATE' ? 'sent late' : 'sent on time',
          )
        : h('td', { class: timeLeft(item.dueAt).startsWith('overdue') ? 'overdue' : '' }, timeLeft(item.dueAt)),
      h('td', {}, h('div', { class: 'title' }, item.title), h('div', { class: 'sub' }, item.id)),
      h('td', {}, h('span', { class: `chip ${item.status}`, 'data-testid': 'item-status' }, item.status)),
      h('td', {}, item.counterpart ?? ''),
      h('td', {}, item.assignee ?? ''),
      h('td', {}, ...item.flags.map((f) => h('span', { class: `flag ${f}` }, f))),
    ),
  );
  clear(
    $('#items tbody'),
    rows.length ? rows : h('tr', {}, h('td', { colspan: '7', class: 'empty' }, 'Nothing here.')),
  );
}

async function showItem(id) {
  state.selected = id;
  renderItems();
  const item = await api('GET', `/api/inboxes/${state.tab}/${encodeURIComponent(id)}`);
  const panel = $('#detail');
  panel.hidden = false;
  clear(
    panel,
    h('h2', {}, item.title),
    h(
      'p',
      {},
      h('span', { class: `chip ${item.status}`, 'data-testid': 'detail-status' }, item.status),
      ' ',
      ...item.flags.map((f) => h('span', { class: `flag ${f}` }, f)),
    ),
    h(
      'dl',
      {},
      h('dt', {}, 'Due'),
      h(
        'dd',
        {},
        `${local(item.dueAt)} (${item.met ? (item.met === 'LATE' ? 'sent late' : 'sent on time') : timeLeft(item.dueAt)}) — ${item.dueRule ?? ''}`,
      ),
      h('dt', {}, 'Assigned to'),
      h('dd', {}, item.assignee ?? 'nobody'),
      ...(item.reason ? [h('dt', {}, 'Reason'), h('dd', { class: 'reason' }, item.reason)] : []),
      ...(item.bettorRef
        ? [h('dt', {}, 'Bettor ref'), h('dd', { class: 'mono' }, item.bettorRef.slice(0, 16) + '…')]
        : []),
    ),
    ...approvalView(item),
    h('div', { class: 'actions' }, ...actionButtons(item)),
    h('div', { id: 'action-form' }),
    ...payloadView(item),
    h('h3', {}, 'Timeline'),
    h(
      'ol',
      { class: 'timeline', 'data-testid': 'timeline' },
      ...item.timeline.map((t) =>
        h(
          'li',
          { class: t.result },
          h('time', {}, local(t.startedAt)),
          ' ',
          h('b', {}, t.event),
          ` by ${t.actor} — ${t.result}`,
          t.details?.detail ? h('div', { class: 'sub' }, t.details.detail) : undefined,
        ),
      ),
    ),
  );
}

function payloadView(item) {
  if (state.tab === 'incidents') {
    const s = item.payload;
    const receipts = s.submissions.flatMap((sub) =>
      Object.entries(sub.receipts).map(
        ([r, rc]) => `v${sub.version} → ${r}: ${rc.messageId} at ${local(rc.acceptedAt)}`,
      ),
    );
    return [
      h('h3', {}, `Incident card, version ${s.version}`),
      renderCard(s.card, s.problems),
      ...(receipts.length
        ? [h('h3', {}, 'Receipts'), h('ul', {}, ...receipts.map((r) => h('li', { class: 'mono' }, r)))]
        : []),
    ];
  }
  return [h('h3', {}, 'Payload'), h('pre', { class: 'payload' }, JSON.stringify(item.payload, null, 2))];
}

// A correction that changes an amount or a date waits for a second officer: what changes, old → new.
function approvalView(item) {
  if (!item.approval) return [];
  const a = item.approval;
  const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return [
    h(
      'div',
      { class: 'approval', 'data-testid': 'approval' },
      h('h3', {}, 'Correction awaiting a second officer’s approval'),
      h(
        'p',
        {},
        `Corrected by ${a.requestedBy} at ${local(a.requestedAt)}. Another officer approves or refuses it; ${a.requestedBy} cannot approve it.`,
      ),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Was'), h('th', {}, 'Becomes'))),
        h(
          'tbody',
          {},
          ...a.changes.map((c) =>
            h(
              'tr',
              {},
              h('td', { class: 'mono' }, c.field.replace(/^payload\.record\./, '')),
              h('td', {}, show(c.old)),
              h('td', {}, show(c.new)),
            ),
          ),
        ),
      ),
    ),
  ];
}

function actionButtons(item) {
  const act = (label, name, handler, cls = '') =>
    item.actions.includes(name) ? h('button', { 'data-action': name, class: cls, onclick: handler }, label) : undefined;
  const assign =
    item.actions.includes('assign') && item.assignee !== state.me.login
      ? h('button', {
          'data-action': 'take',
          class: 'secondary',
          onclick: () => run(`/api/inboxes/${state.tab}/${item.id}/assign`, { assignee: state.me.login }, 'Taken'),
        })
      : undefined;
  if (assign) assign.textContent = 'Take it';
  const base = `/api/${state.tab}/${encodeURIComponent(item.id)}`;
  return [
    act('Submit card', 'submit', () => run(`${base}/submit`, {}, 'Card submitted'), 'primary'),
    act('Amend card', 'amend', () => amendForm(item)),
    act('Close incident', 'close', () => run(`${base}/close`, {}, 'Incident closed')),
    act('Approve', 'approve', () => run(`${base}/decide`, { approved: true }, 'Approved'), 'primary'),
    act('Refuse', 'refuse', () => run(`${base}/decide`, { approved: false }, 'Refused')),
    act('Retry', 'retry', () => run(`${base}/retry`, {}, 'Retried'), 'primary'),
    act('Correct and resubmit', 'resubmit', () => resubmitForm(item)),
    act(
      'Approve correction',
      'approve-resubmission',
      () => run(`${base}/resubmission/approve`, {}, 'Correction approved'),
      'primary',
    ),
    act('Refuse correction', 'refuse-resubmission', () => run(`${base}/resubmission/refuse`, {}, 'Correction refused')),
    act('Record AFM’s written notice', 'notice', () => noticeForm(item)),
    act('Resolve', 'resolve', () => resolveForm(item), 'primary'),
    assign,
  ];
}

async function run(path, body, done) {
  try {
    const result = await api('POST', path, body);
    flash(`${done}${result?.status ? `: ${result.status}` : ''}`);
  } catch (err) {
    flash(err.message, 'error');
  }
  await loadInbox();
}

function amendForm(item) {
  const form = h(
    'form',
    { class: 'amend' },
    cardForm(item.payload.card),
    h('button', { type: 'submit', class: 'primary' }, 'Save amendment'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const patch = readPatch(form, item.payload.card);
    if (!Object.keys(patch).length) return flash('Nothing changed.', 'error');
    run(
      `/api/incidents/${encodeURIComponent(item.id)}/amend`,
      { patch },
      `Amended rows ${Object.keys(patch).join(', ')}`,
    );
  });
  clear($('#action-form'), form);
}

// A reconciliation difference is resolved with the officer's reason, journalled with it.
function resolveForm(item) {
  const form = h(
    'form',
    { class: 'amend', 'data-testid': 'resolve-form' },
    h(
      'label',
      { class: 'row' },
      h('span', {}, 'Why is this difference resolved? (e.g. ESU re-recorded the operation, receipt ESU-…)'),
      h('textarea', { name: 'reason', rows: '3', required: true, maxlength: '1000' }),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Resolve'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run(
      `/api/reconciliation/${encodeURIComponent(item.id)}/resolve`,
      { reason: form.querySelector('[name="reason"]').value },
      'Resolved',
    );
  });
  clear($('#action-form'), form);
}

// The day's report: its summary, the CSV or JSON file, and a run on demand.
function reconDay() {
  const day = $('#recon-bar input[name=day]').value;
  if (!day) flash('Pick the day first.', 'error');
  return day;
}
async function showReconDay() {
  const day = reconDay();
  if (!day) return;
  try {
    const report = await api('GET', `/api/reconciliation-days/${day}`);
    $('#recon-summary').textContent = report.summary;
  } catch (err) {
    flash(err.message, 'error');
  }
}
function exportReconDay(format) {
  const day = reconDay();
  if (day) window.location.href = `/api/reconciliation-days/${day}/export?format=${format}`;
}
async function runReconDay() {
  const day = reconDay();
  if (!day) return;
  flash(`Reconciling ${day}…`);
  try {
    const report = await api('POST', `/api/reconciliation-days/${day}/run`, {});
    $('#recon-summary').textContent = report.summary;
    flash(report.summary);
  } catch (err) {
    flash(err.message, 'error');
  }
  await loadInbox();
}

function resubmitForm(item) {
  const text = h('textarea', { rows: '12', class: 'mono', name: 'payload' }, JSON.stringify(item.payload, null, 2));
  const form = h(
    'form',
    {},
    h('p', {}, 'Correct the payload, then resubmit. It goes through the submission workflow, which sends it once.'),
    text,
    h('button', { type: 'submit', class: 'primary' }, 'Resubmit'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let payload;
    try {
      payload = JSON.parse(text.value);
    } catch {
      return flash('The payload is not valid JSON.', 'error');
    }
    run(`/api/submissions/${encodeURIComponent(item.id)}/resubmit`, { payload }, 'Resubmitted');
  });
  clear($('#action-form'), form);
}

// AFM's written notice (AFM order No. 9, item 5(3)): reference, date, reason and the scan of the letter.
function noticeForm(item) {
  const file = h('input', {
    name: 'scan',
    type: 'file',
    accept: 'application/pdf,image/jpeg,image/png',
    required: true,
  });
  const form = h(
    'form',
    { class: 'amend', 'data-testid': 'notice-form' },
    h(
      'p',
      {},
      'AFM wrote that it could not accept this data. The submission becomes REJECTED, due 1 working day after the notice’s date.',
    ),
    h(
      'label',
      { class: 'row' },
      h('span', {}, 'AFM’s reference'),
      h('input', { name: 'afmReference', required: true, maxlength: '64' }),
    ),
    h(
      'label',
      { class: 'row' },
      h('span', {}, 'Date of the notice'),
      h('input', { name: 'noticeDate', type: 'date', required: true }),
    ),
    h(
      'label',
      { class: 'row' },
      h('span', {}, 'Reason, as AFM wrote it'),
      h('textarea', { name: 'reason', rows: '4', required: true, maxlength: '2000' }),
    ),
    h('label', { class: 'row' }, h('span', {}, 'Scan (PDF, JPEG or PNG, up to 2 MiB)'), file),
    h('button', { type: 'submit', class: 'primary' }, 'Record notice'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const scan = file.files?.[0];
    if (!scan) return flash('Attach the scan of the notice.', 'error');
    const bytes = new Uint8Array(await scan.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const value = (name) => form.querySelector(`[name="${name}"]`).value;
    run(
      `/api/submissions/${encodeURIComponent(item.id)}/notices`,
      {
        afmReference: value('afmReference'),
        noticeDate: value('noticeDate'),
        reason: value('reason'),
        scan: { mediaType: scan.type, contentBase64: btoa(binary) },
      },
      'Notice recorded',
    );
  });
  clear($('#action-form'), form);
}

function newIncidentForm() {
  state.selected = undefined;
  const offset = state.me.utcOffset ?? '+05:00';
  const form = h(
    'form',
    { class: 'amend', 'data-testid': 'new-incident-form' },
    h('h2', {}, 'New incident'),
    h('label', { class: 'row' }, h('span', {}, '1. Name'), h('input', { name: 'name', required: true })),
    h(
      'label',
      { class: 'row' },
      h('span', {}, `2. Detected at (local time, UTC${offset}) — the 48 hours count from here`),
      h('input', { name: 'detected', type: 'datetime-local', required: true }),
    ),
    h(
      'label',
      { class: 'row' },
      h('span', {}, '7. Main events'),
      h('select', { name: 'kind' }, ...Object.entries(EVENT_KINDS).map(([v, l]) => h('option', { value: v }, l))),
    ),
    h('label', { class: 'row' }, h('span', {}, '6. Symptoms'), h('textarea', { name: 'symptoms', rows: '2' })),
    h('button', { type: 'submit', class: 'primary' }, 'Open incident'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const card = {
      name: String(f.get('name')),
      detectedAt: `${f.get('detected')}:00${offset}`,
      mainEvents: [String(f.get('kind'))],
      ...(f.get('symptoms') ? { symptoms: String(f.get('symptoms')) } : {}),
    };
    try {
      const opened = await api('POST', '/api/incidents', { card });
      flash(`Incident ${opened.incidentId} opened: due ${cardDateTime(card.detectedAt)} + 48 h`);
      state.selected = opened.incidentId;
    } catch (err) {
      return flash(err.message, 'error');
    }
    await loadInbox();
  });
  const panel = $('#detail');
  panel.hidden = false;
  clear(panel, form);
}

$('#login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  try {
    await api('POST', '/api/login', { login: f.get('login'), password: f.get('password') });
    e.target.reset();
    flash('');
    await start();
  } catch (err) {
    alertLogin(err.message);
  }
});
function alertLogin(message) {
  const form = $('#login-form');
  form.querySelector('.error')?.remove();
  form.append(h('p', { class: 'error' }, message));
}
$('#tabs').addEventListener('click', (e) => {
  const tab = e.target.closest('button')?.dataset.tab;
  if (tab) openTab(tab).catch((err) => flash(err.message, 'error'));
});
$('#filters').addEventListener('submit', (e) => {
  e.preventDefault();
  state.selected = undefined;
  loadInbox().catch((err) => flash(err.message, 'error'));
});
$('#reset-filters').addEventListener('click', () => {
  $('#filters').reset();
  loadInbox().catch((err) => flash(err.message, 'error'));
});
$('#new-incident').addEventListener('click', newIncidentForm);
$('#recon-show').addEventListener('click', () => showReconDay());
$('#recon-csv').addEventListener('click', () => exportReconDay('csv'));
$('#recon-json').addEventListener('click', () => exportReconDay('json'));
$('#recon-run').addEventListener('click', () => runReconDay());
$('#recon-bar').addEventListener('submit', (e) => e.preventDefault());
setInterval(() => state.items.length && renderItems(), 30_000);
start();
