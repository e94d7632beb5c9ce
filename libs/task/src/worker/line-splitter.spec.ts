import { LineSplitter, SplitLine } from './line-splitter';

const limits = { logCapBytes: 16, resultCapBytes: 64 };

function split(chunks: (string | Buffer)[]): SplitLine[] {
  const s = new LineSplitter(limits);
  const out: SplitLine[] = [];
  for (const c of chunks) out.push(...s.push(typeof c === 'string' ? Buffer.from(c) : c));
  out.push(...s.end());
  return out;
}

describe('LineSplitter', () => {
  it('joins lines across chunks, drops a CR before the newline and keeps a last line without newline', () => {
    expect(split(['ab', 'c\r\nde', 'f\n', 'tail'])).toEqual([
      { kind: 'line', text: 'abc', bytes: 3 },
      { kind: 'line', text: 'def', bytes: 3 },
      { kind: 'line', text: 'tail', bytes: 4 },
    ]);
  });

  it('keeps a line starting with { whole up to the result cap, a plain line only up to the log cap', () => {
    const json = '{"ipc":true,"type":"data","payload":{"a":1}}'; // 44 bytes
    const plain = 'x'.repeat(40);
    const [a, b] = split([json + '\n' + plain + '\n']);
    expect(a).toEqual({ kind: 'line', text: json, bytes: 44 });
    expect(b).toEqual({ kind: 'overlong', head: 'x'.repeat(16), bytes: 40, maybeResult: false });
  });

  it('counts a line over the result cap without holding it and flags it as a possible result', () => {
    const s = new LineSplitter(limits);
    s.push(Buffer.from('{"ipc":true,'));
    for (let i = 0; i < 1000; i++) expect(s.push(Buffer.alloc(1000, 0x61))).toEqual([]);
    const [l] = s.push(Buffer.from('\nnext\n'));
    expect(l).toEqual({ kind: 'overlong', head: '{"ipc":true,aaaa', bytes: 12 + 1000 * 1000, maybeResult: true });
  });

  it('replaces bytes that are not UTF-8 with U+FFFD', () => {
    const [l] = split([Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a])]);
    expect(l).toEqual({ kind: 'line', text: 'a\ufffd\ufffdb', bytes: 4 });
  });
});

describe('LineSplitter, crawlab-sdk order (ipc last)', () => {
  it('flags an overlong line as a possible result by the "ipc" at its end', () => {
    const s = new LineSplitter(limits);
    const [l] = s.push(Buffer.from(`{"type":"data","payload":{"x":"${'y'.repeat(500)}"},"ipc":true}\n`));
    expect(l).toMatchObject({ kind: 'overlong', maybeResult: true });
  });
});
