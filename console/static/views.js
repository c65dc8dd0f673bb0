// The journal (verify, export, browse) and the availability index views.
import { h, clear } from './dom.js';
import { api, flash, local } from './app.js';

export async function renderJournal(root) {
  const verdict = h('div', { class: 'verdict', 'data-testid': 'verify-result' });
  const verify = h('button', { class: 'primary', 'data-action': 'verify' }, 'Verify the chain');
  verify.addEventListener('click', async () => {
    clear(verdict, 'Verifying…');
    try {
      const r = await api('POST', '/api/journal/verify');
      clear(
        verdict,
        h(
          'p',
          { class: r.ok ? 'ok' : 'error' },
          r.ok
            ? `Chain intact: ${r.checked} entries checked, head ${r.head.seq} ${r.head.hash.slice(0, 16)}…`
            : `Tampering found: ${r.problems.length} problem(s)`,
        ),
        ...(r.problems.length
          ? [h('ul', {}, ...r.problems.map((p) => h('li', {}, `${p.kind} at entry ${p.seq}: ${p.message}`)))]
          : []),
      );
    } catch (err) {
      clear(verdict, h('p', { class: 'error' }, err.message));
    }
  });

  const day = h('input', { type: 'date', name: 'exportDay' });
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const download = (query) => {
    const link = h('a', { href: `/api/journal/export?${new URLSearchParams(query)}`, download: '' });
    document.body.append(link);
    link.click();
    link.remove();
  };
  const exports = h(
    'div',
    { class: 'exports' },
    h('label', {}, 'Day ', day),
    h(
      'button',
      {
        'data-action': 'export-day',
        onclick: () => (day.value ? download({ day: day.value }) : flash('Choose a day.', 'error')),
      },
      'Export day (CSV)',
    ),
    h('label', {}, 'From ', from),
    h('label', {}, 'to ', to),
    h(
      'button',
      {
        'data-action': 'export-range',
        onclick: () =>
          from.value && to.value ? download({ from: from.value, to: to.value }) : flash('Choose both dates.', 'error'),
      },
      'Export range (CSV)',
    ),
    h('button', { class: 'secondary', onclick: () => download({}) }, 'Export whole journal'),
  );

  const filter = h(
    'form',
    { class: 'filters' },
    h('label', {}, 'Record ', h('input', { name: 'recordId', size: '18' })),
    h('label', {}, 'User ', h('input', { name: 'actor', size: '10' })),
    h('label', {}, 'Event ', h('input', { name: 'event', size: '16', placeholder: 'incident.' })),
    h('label', {}, 'Day ', h('input', { name: 'day', type: 'date' })),
    h('button', { type: 'submit' }, 'Show'),
  );
  const table = h('table', { class: 'items', 'data-testid': 'journal' });
  async function load() {
    const q = new URLSearchParams([...new FormData(filter).entries()].filter(([, v]) => v));
    try {
      const rows = await api('GET', `/api/journal?${q}`);
      clear(
        table,
        h(
          'thead',
          {},
          h('tr', {}, ...['#', 'Started', 'Event', 'User', 'Record', 'Ended', 'Result'].map((c) => h('th', {}, c))),
        ),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, String(r.seq)),
              h('td', {}, local(r.startedAt)),
              h('td', {}, r.event),
              h('td', {}, r.actor),
              h('td', { class: 'mono' }, r.details.recordId ?? ''),
              h('td', {}, local(r.endedAt)),
              h('td', { class: r.result }, r.result),
            ),
          ),
        ),
      );
    } catch (err) {
      flash(err.message, 'error');
    }
  }
  filter.addEventListener('submit', (e) => (e.preventDefault(), load()));
  clear(
    root,
    h('h2', {}, 'Event journal'),
    h(
      'p',
      { class: 'hint' },
      'Each entry carries the hash of the one before. Verifying recomputes every hash and finds any altered or missing entry. Reading, verifying and exporting are journalled too.',
    ),
    h('div', { class: 'actions' }, verify),
    verdict,
    exports,
    filter,
    table,
  );
  await load();
}

export async function renderAvailability(root, me) {
  let data;
  try {
    data = await api('GET', '/api/availability');
  } catch (err) {
    return flash(err.message, 'error');
  }
  const pct = (r) => (r.indexPercent === undefined ? 'not observed' : `${r.indexPercent.toFixed(3)} %`);
  const rows = data.counterparts.map((c) =>
    h(
      'tr',
      { 'data-testid': 'availability-row', 'data-counterpart': c.counterpart },
      h('td', {}, c.counterpart),
      ...['24h', '7d', '30d'].map((p) =>
        h(
          'td',
          { class: c.periods[p].indexPercent < 99 ? 'overdue' : '' },
          pct(c.periods[p]),
          h(
            'div',
            { class: 'sub' },
            `T ${c.periods[p].expectedHours} h, P ${c.periods[p].unavailableHours} h (planned ${c.periods[p].plannedUnavailableHours} h)`,
          ),
        ),
      ),
      h('td', {}, String(c.periods['24h'].observedMinutes)),
      h(
        'td',
        { class: c.ongoingOutageSince ? 'overdue' : '' },
        c.ongoingOutageSince ? `down since ${local(c.ongoingOutageSince)}` : 'up',
      ),
    ),
  );
  const windows = data.maintenance.map((m) =>
    h(
      'li',
      {},
      `${m.counterpart}: ${local(new Date(m.startMs).toISOString())} – ${local(new Date(m.endMs).toISOString())} ${m.note} (by ${m.announcedBy})`,
    ),
  );
  const form = me.permissions.includes('maintenance')
    ? maintenanceForm(root, me)
    : h('p', { class: 'hint' }, 'Administrators record announced maintenance.');
  clear(
    root,
    h('h2', {}, 'Availability index'),
    h(
      'p',
      { class: 'hint' },
      'I = (T − P) / T × 100 % (rules for integrating e-government information systems, service levels, p.7): T the hours a service should have been available, P the hours it was not — planned and unplanned works with disconnection alike — from our connectors’ own observations. Announced maintenance with the service down counts in P; a window in which it never answered counts whole.',
    ),
    h(
      'table',
      { class: 'items' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Counterpart', 'Last 24 hours', 'Last 7 days', 'Last 30 days', 'Minutes observed (24 h)', 'Now'].map(
            (c) => h('th', {}, c),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    h('h3', {}, 'Planned maintenance'),
    windows.length ? h('ul', {}, ...windows) : h('p', {}, 'None recorded.'),
    form,
  );
}

function maintenanceForm(root, me) {
  const offset = me.utcOffset ?? '+05:00';
  const form = h(
    'form',
    { class: 'filters' },
    h(
      'label',
      {},
      'Counterpart ',
      h(
        'select',
        { name: 'counterpart' },
        ...['esu', 'nomapay', 'tsoid', 'afm'].map((c) => h('option', { value: c }, c)),
      ),
    ),
    h('label', {}, 'From ', h('input', { name: 'startsAt', type: 'datetime-local', required: true })),
    h('label', {}, 'To ', h('input', { name: 'endsAt', type: 'datetime-local', required: true })),
    h('label', {}, 'Note ', h('input', { name: 'note', size: '24' })),
    h('button', { type: 'submit' }, 'Record window'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      await api('POST', '/api/maintenance', {
        counterpart: f.get('counterpart'),
        startsAt: `${f.get('startsAt')}:00${offset}`,
        endsAt: `${f.get('endsAt')}:00${offset}`,
        note: f.get('note'),
      });
      flash('Maintenance window recorded');
      await renderAvailability(root, me);
    } catch (err) {
      flash(err.message, 'error');
    }
  });
  return form;
}
