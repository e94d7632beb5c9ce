import { LogBuffer, nextHit } from './log-buffer';

const line = (seq: number, text = `line ${seq}`) => ({ seq, ts: '2026-01-01T00:00:00Z', stream: 'stdout' as const, text });

describe('log buffer', () => {
  it('shows queued lines only on flush, once per batch', () => {
    const b = new LogBuffer();
    b.add(line(1));
    b.add(line(2));
    expect(b.length).toBe(0);
    expect(b.flush()).toBe(2);
    expect(b.flush()).toBe(0);
    expect(b.lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(b.lastSeq).toBe(2);
  });

  it('drops lines it already has (a resumed stream repeating some)', () => {
    const b = new LogBuffer();
    [1, 2, 3, 2, 3, 4].forEach((s) => b.add(line(s)));
    b.flush();
    expect(b.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  });

  it('holds 200k lines and searches them quickly', () => {
    const b = new LogBuffer();
    for (let i = 1; i <= 200_000; i++) b.add(line(i, i % 50_000 === 0 ? `ERROR at ${i}` : `ok ${i}`));
    expect(b.flush()).toBe(200_000);
    const t0 = Date.now();
    expect(b.search('error')).toEqual([49_999, 99_999, 149_999, 199_999]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('caps search hits and finds nothing for an empty query', () => {
    const b = new LogBuffer();
    for (let i = 1; i <= 100; i++) b.add(line(i));
    b.flush();
    expect(b.search('line', 10)).toHaveLength(10);
    expect(b.search('')).toEqual([]);
  });

  it('steps through hits forward and backward, wrapping', () => {
    expect(nextHit([3, 10, 20], 5, true)).toBe(10);
    expect(nextHit([3, 10, 20], 20, true)).toBe(3);
    expect(nextHit([3, 10, 20], 10, false)).toBe(3);
    expect(nextHit([3, 10, 20], 3, false)).toBe(20);
    expect(nextHit([], 0, true)).toBeNull();
  });
});
