import { packLines, unpackLines } from './log-batch-codec';

describe('log batch codec', () => {
  it('round-trips seq, time, stream and any text (quotes, newlines, non-ASCII, U+FFFD)', () => {
    const lines = [
      { seq: 7, ts: new Date(1_700_000_000_123), stream: 'stdout', text: 'plain' },
      { seq: 8, ts: new Date(1_700_000_000_456), stream: 'stderr', text: 'a "quoted" \\ back\nslash' },
      { seq: 9, ts: new Date(1_700_000_001_000), stream: 'stdout', text: 'ünïcödé \uFFFD 😀' },
    ];
    expect(unpackLines({ from: 7, packed: packLines(lines) })).toEqual(lines);
  });

  it('reads a batch stored before packing from its line objects', () => {
    const lines = [{ seq: 1, ts: new Date(0), stream: 'stdout', text: 'x' }];
    expect(unpackLines({ from: 1, lines })).toEqual(lines);
    expect(unpackLines({ from: 1 })).toEqual([]);
  });
});
