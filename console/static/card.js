// The 16-row incident card of National Bank resolution No. 116 (Annex 2 to R202): shown row by row and edited row by row.
import { h } from './dom.js';

const KINDS = {
  VULNERABILITY_EXPLOITED: 'exploited software vulnerability',
  UNAUTHORISED_ACCESS: 'unauthorised access',
  DENIAL_OF_SERVICE: 'denial of service',
  MALWARE: 'malware on a server',
  UNAUTHORISED_TRANSFER: 'unauthorised transfer of money',
  STABILITY_THREAT: 'threat to the stability of operations',
};
const SOURCES = {
  USER: 'user',
  ADMINISTRATOR: 'administrator',
  SECURITY_ADMINISTRATOR: 'security administrator',
  SECURITY_STAFF: 'security staff',
  TECHNICAL_MEANS: 'technical means',
};
const METHODS = { SOCIAL_ENGINEERING: 'social engineering', MALICIOUS_CODE: 'malicious code', OTHER: 'other' };
const ASSETS = {
  PHYSICAL: 'physical level',
  NETWORK_EQUIPMENT: 'network equipment',
  NETWORK_APPLICATIONS_AND_SERVICES: 'network applications and services',
  OPERATING_SYSTEM: 'operating system',
  PROCESSES_AND_APPLICATIONS: 'processes and applications',
  BUSINESS_PROCESSES: 'business processes',
};
const STATUSES = { COMPLETED: 'completed incident', ATTEMPT: 'attempt', SUSPICION: 'suspicion' };
const INTENT = { DELIBERATE: 'deliberate', ERROR: 'error' };
const ACTIONS = { IDENTIFY_VULNERABILITY: 'identify the vulnerability', ISOLATE: 'isolate', RESTORE: 'restore' };
const PERSON_KINDS = ['OFFICIAL', 'STATE_BODY', 'ORGANISATION'];

export const ROWS = [
  { row: 1, key: 'name', label: 'Name', type: 'text' },
  { row: 2, key: 'detectedAt', label: 'Detected (date, time, UTC offset)', type: 'detected' },
  { row: 3, key: 'place', label: 'Place: organisation; branch; infrastructure segment', type: 'place' },
  { row: 4, key: 'informationSource', label: 'Source of the information', type: 'select', options: SOURCES },
  { row: 5, key: 'methods', label: 'Methods used', type: 'checks', options: METHODS, detail: 'methodsDetail' },
  { row: 6, key: 'symptoms', label: 'Symptoms, signs', type: 'textarea' },
  { row: 7, key: 'mainEvents', label: 'Main events', type: 'checks', options: KINDS },
  { row: 8, key: 'affectedAssets', label: 'Affected assets', type: 'checks', options: ASSETS },
  { row: 9, key: 'status', label: 'Status', type: 'select', options: STATUSES },
  { row: 10, key: 'damage', label: 'Damage (KZT; description)', type: 'damage' },
  { row: 11, key: 'threatSources', label: 'Threat sources (identifiers, one per line)', type: 'lines' },
  { row: 12, key: 'intent', label: 'Intent', type: 'select', options: INTENT },
  { row: 13, key: 'actionsTaken', label: 'Actions taken', type: 'actions' },
  { row: 14, key: 'plannedActions', label: 'Planned actions to reduce the risk', type: 'textarea' },
  {
    row: 15,
    key: 'personsNotified',
    label: 'Persons notified (KIND; name; position — one per line)',
    type: 'records',
    fields: ['kind', 'name', 'position'],
  },
  {
    row: 16,
    key: 'specialists',
    label: 'Specialists involved (full name; workplace; position — one per line)',
    type: 'records',
    fields: ['fullName', 'workplace', 'position'],
  },
];

/** Row 2 as the form writes it: dd.mm.yyyy hh:mm UTC+X, in the offset it was recorded with. */
export function cardDateTime(iso) {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(Date.parse(iso) + offset * 60_000);
  const two = (n) => String(n).padStart(2, '0');
  const zone = `UTC${offset < 0 ? '-' : '+'}${Math.floor(Math.abs(offset) / 60)}${Math.abs(offset) % 60 ? ':' + two(Math.abs(offset) % 60) : ''}`;
  return `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${zone}`;
}

function show(spec, card) {
  const v = card[spec.key];
  if (
    v === undefined ||
    v === null ||
    (Array.isArray(v) && !v.length && spec.type !== 'lines' && spec.type !== 'records')
  )
    return '—';
  switch (spec.type) {
    case 'detected':
      return cardDateTime(v);
    case 'place':
      return [v.organisation, v.branch, v.segment].filter(Boolean).join('; ');
    case 'select':
      return spec.options[v] ?? v;
    case 'checks':
      return (
        v.map((x) => spec.options[x] ?? x).join(', ') +
        (spec.detail && card[spec.detail] ? ` — ${card[spec.detail]}` : '')
      );
    case 'damage':
      return `${v.amountTiyn !== undefined ? (v.amountTiyn / 100).toFixed(2) + ' KZT; ' : ''}${v.description}`;
    case 'lines':
      return v.length ? v.join(', ') : 'none identified';
    case 'actions':
      return v.actions.map((x) => ACTIONS[x] ?? x).join(', ') + (v.description ? ` — ${v.description}` : '');
    case 'records':
      return v.length
        ? v
            .map((r) =>
              spec.fields
                .map((f) => r[f])
                .filter(Boolean)
                .join(', '),
            )
            .join('; ')
        : 'nobody yet';
    default:
      return String(v);
  }
}

export function renderCard(card, problems = []) {
  const missing = new Set(problems.map((p) => Number(/^row (\d+)/.exec(p)?.[1])));
  return h(
    'table',
    { class: 'card', 'data-testid': 'card' },
    ...ROWS.map((spec) =>
      h(
        'tr',
        { class: missing.has(spec.row) ? 'missing' : '' },
        h('th', {}, String(spec.row)),
        h('td', {}, spec.label),
        h('td', {}, show(spec, card)),
      ),
    ),
  );
}

function checks(name, options, selected = []) {
  return h(
    'div',
    { class: 'checks' },
    ...Object.entries(options).map(([value, label]) =>
      h(
        'label',
        {},
        h('input', { type: 'checkbox', name, value, ...(selected.includes(value) ? { checked: '' } : {}) }),
        ' ',
        label,
      ),
    ),
  );
}

function select(name, options, value) {
  return h(
    'select',
    { name },
    h('option', { value: '' }, '—'),
    ...Object.entries(options).map(([v, label]) =>
      h('option', { value: v, ...(v === value ? { selected: '' } : {}) }, label),
    ),
  );
}

function input(spec, card) {
  const v = card[spec.key];
  const k = spec.key;
  switch (spec.type) {
    case 'text':
      return h('input', { name: k, value: v ?? '' });
    case 'detected':
      return h('input', { name: k, value: v ?? '', placeholder: '2026-03-10T02:15:00+05:00' });
    case 'textarea':
      return h('textarea', { name: k, rows: '2' }, v ?? '');
    case 'select':
      return select(k, spec.options, v);
    case 'checks':
      return h(
        'div',
        {},
        checks(k, spec.options, v),
        ...(spec.detail
          ? [h('input', { name: spec.detail, value: card[spec.detail] ?? '', placeholder: 'details' })]
          : []),
      );
    case 'place':
      return h('input', {
        name: k,
        value: v ? [v.organisation, v.branch ?? '', v.segment].join('; ') : '',
        placeholder: 'organisation; branch; segment',
      });
    case 'damage':
      return h('input', {
        name: k,
        value: v ? `${v.amountTiyn !== undefined ? v.amountTiyn / 100 : ''}; ${v.description}` : '',
        placeholder: '0; description',
      });
    case 'lines':
      return h('textarea', { name: k, rows: '2' }, (v ?? []).join('\n'));
    case 'actions':
      return h(
        'div',
        {},
        checks(k, ACTIONS, v?.actions),
        h('input', { name: `${k}.description`, value: v?.description ?? '', placeholder: 'details' }),
      );
    case 'records':
      return h(
        'textarea',
        { name: k, rows: '2' },
        (v ?? []).map((r) => spec.fields.map((f) => r[f] ?? '').join('; ')).join('\n'),
      );
  }
}

export function cardForm(card) {
  return h(
    'div',
    { class: 'card-form' },
    ...ROWS.map((spec) => h('label', { class: 'row' }, h('span', {}, `${spec.row}. ${spec.label}`), input(spec, card))),
  );
}

const split = (s) => s.split(';').map((x) => x.trim());
const text = (form, name) => (form.querySelector(`[name="${name}"]`)?.value ?? '').trim();
const checked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

/** The rows the officer changed, as a patch the workflow applies (empty rows are left as they were). */
export function readPatch(form, card) {
  const read = {
    name: text(form, 'name') || undefined,
    detectedAt: text(form, 'detectedAt') || undefined,
    place: (() => {
      const [organisation, branch, segment] = split(text(form, 'place'));
      return organisation ? { organisation, ...(branch ? { branch } : {}), segment } : undefined;
    })(),
    informationSource: text(form, 'informationSource') || undefined,
    methods: checked(form, 'methods').length ? checked(form, 'methods') : undefined,
    methodsDetail: text(form, 'methodsDetail') || undefined,
    symptoms: text(form, 'symptoms') || undefined,
    mainEvents: checked(form, 'mainEvents').length ? checked(form, 'mainEvents') : undefined,
    affectedAssets: checked(form, 'affectedAssets').length ? checked(form, 'affectedAssets') : undefined,
    status: text(form, 'status') || undefined,
    damage: (() => {
      const [amount, ...rest] = split(text(form, 'damage'));
      const description = rest.join('; ');
      return description
        ? { ...(amount ? { amountTiyn: Math.round(Number(amount) * 100) } : {}), description }
        : undefined;
    })(),
    threatSources: text(form, 'threatSources')
      ? text(form, 'threatSources')
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean)
      : card.threatSources === undefined
        ? undefined
        : [],
    intent: text(form, 'intent') || undefined,
    actionsTaken: checked(form, 'actionsTaken').length
      ? {
          actions: checked(form, 'actionsTaken'),
          ...(text(form, 'actionsTaken.description') ? { description: text(form, 'actionsTaken.description') } : {}),
        }
      : undefined,
    plannedActions: text(form, 'plannedActions') || undefined,
    personsNotified: records(text(form, 'personsNotified'), ['kind', 'name', 'position'], (r) => ({
      ...r,
      kind: PERSON_KINDS.includes(r.kind?.toUpperCase()) ? r.kind.toUpperCase() : 'ORGANISATION',
    })),
    specialists: records(text(form, 'specialists'), ['fullName', 'workplace', 'position']),
  };
  const patch = {};
  for (const [key, value] of Object.entries(read))
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(card[key])) patch[key] = value;
  return patch;
}

function records(value, fields, fix = (r) => r) {
  if (!value) return undefined;
  return value
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const parts = split(line);
      return fix(Object.fromEntries(fields.map((f, i) => [f, parts[i]]).filter(([, v]) => v)));
    });
}

export const EVENT_KINDS = KINDS;
