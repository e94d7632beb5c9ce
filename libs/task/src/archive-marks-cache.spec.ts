import { HourMarksCache, MARK_LAG_MS, MARKS_TTL_MS } from './archive-marks-cache';

const AT = Date.parse('2026-12-06T13:30:00Z');
const idAt = (ms: number) => Math.floor(ms / 1000).toString(16).padStart(8, '0') + 'c5b7abcdef000001';
const marks = [{ shelf: 'abcdef_0', stamp: 'abcdef', n: 0, first: idAt(AT - 600_000) }];

describe('HourMarksCache', () => {
  it('serves a copy only for ids made well before it was read: a shelf opened since then may hold newer ids only', () => {
    const c = new HourMarksCache();
    c.put('2026120613', marks, AT);
    expect(c.get('2026120613', idAt(AT - MARK_LAG_MS - 1000), AT + 1000)).toEqual(marks);
    expect(c.get('2026120613', idAt(AT - 10_000), AT + 1000)).toBeNull();
    expect(c.get('2026120613', 'g', AT + 1000)).toBeNull();
    expect(c.get('2026120612', idAt(AT - 3_600_000), AT + 1000)).toBeNull();
  });

  it('a copy expires, and a forgotten hour is read again', () => {
    const c = new HourMarksCache();
    c.put('2026120613', marks, AT);
    expect(c.get('2026120613', idAt(AT - 120_000), AT + MARKS_TTL_MS + 1)).toBeNull();
    c.put('2026120613', marks, AT);
    c.forget('2026120613');
    expect(c.get('2026120613', idAt(AT - 120_000), AT + 1000)).toBeNull();
  });
});
