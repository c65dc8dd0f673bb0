import { describe, expect, it } from 'vitest';
import { bettorRef } from '../../client/bettor-ref.js';
import { HIDDEN, maskIin, maskPayload, maskPersonalData } from '../../console/personal-data.js';
import { adultIin } from '../support/ids.js';

const KEY = 'unit-test-bettor-ref-key';
const json = (value: unknown) => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});
const read = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  encoding: new TextDecoder().decode(p.metadata!.encoding!),
  value: JSON.parse(new TextDecoder().decode(p.data!)),
});

describe('personal data in decoded payloads, masked as the console shows it', () => {
  it('shows an IIN as the console lists the bettor: the first 16 hex digits of its keyed reference and "…"', () => {
    const iin = adultIin();
    expect(maskIin(iin, KEY)).toBe(bettorRef(iin, KEY).slice(0, 16) + '…');
    expect(maskIin(iin, KEY)).not.toContain(iin);
  });

  it('masks an IIN and a phone wherever they sit, and keeps everything else', () => {
    const iin = adultIin();
    const other = adultIin();
    const notAnIin = other.slice(0, 11) + String((Number(other[11]) + 1) % 10);
    const seen = new Set<string>();
    const masked = maskPersonalData(
      {
        depositId: 'dep-1',
        iin,
        amountTiyn: 50_000,
        subject: { phone: '+77011234567', note: 'call +77019876543' },
        records: [{ record: { iin: other } }, other],
        ids: [notAnIin],
      },
      KEY,
      seen,
    );
    expect(masked).toEqual({
      depositId: 'dep-1',
      iin: maskIin(iin, KEY),
      amountTiyn: 50_000,
      subject: { phone: HIDDEN, note: 'call +77019876543' },
      records: [{ record: { iin: maskIin(other, KEY) } }, maskIin(other, KEY)],
      // twelve digits that fail the IIN check digit are not an IIN
      ids: [notAnIin],
    });
    expect([...seen].sort()).toEqual([maskIin(iin, KEY), maskIin(other, KEY)].sort());
    expect(JSON.stringify(masked)).not.toMatch(new RegExp(`${iin}|${other}|77011234567`));
  });

  it('re-encodes a JSON payload as JSON, withholds any other encoding, and passes an empty one through', () => {
    const iin = adultIin();
    expect(read(maskPayload(json({ iin }), KEY))).toEqual({
      encoding: 'json/plain',
      value: { iin: maskIin(iin, KEY) },
    });
    const raw = maskPayload(
      { metadata: { encoding: new TextEncoder().encode('binary/plain') }, data: new TextEncoder().encode(iin) },
      KEY,
    );
    expect(read(raw).value).toBe(`${HIDDEN}: a binary/plain payload`);
    const notJson = maskPayload(
      { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(`{${iin}`) },
      KEY,
    );
    expect(read(notJson).value).toBe(`${HIDDEN}: not JSON`);
    const nothing = { metadata: { encoding: new TextEncoder().encode('binary/null') } };
    expect(maskPayload(nothing, KEY)).toBe(nothing);
  });
});
