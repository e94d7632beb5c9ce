import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogShipper, OutLine, ShipResult } from './log-shipper';

const spill = () => join(mkdtempSync(join(tmpdir(), 'shipper-')), 'spill.jsonl');

const ok: ShipResult = { accepted: true, reason: '' };

describe('LogShipper', () => {
  it('numbers lines from 1 without gaps and delivers all of them by close()', async () => {
    const got: OutLine[] = [];
    const s = new LogShipper(async (lines) => (got.push(...lines), ok), 5, () => undefined, () => 1, spill());
    for (let i = 0; i < 2500; i++) s.push(i % 2 ? 'stderr' : 'stdout', `l${i}`);
    await s.close();
    expect(got.map((l) => l.seq)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(got[1]).toMatchObject({ stream: 'stderr', text: 'l1' });
  });

  it('resends the same batch after a failed call, so nothing is lost', async () => {
    const calls: number[][] = [];
    let failures = 2;
    const s = new LogShipper(
      async (lines) => {
        calls.push(lines.map((l) => l.seq));
        if (failures-- > 0) throw new Error('link down');
        return ok;
      },
      1,
      () => undefined,
      () => 1,
      spill(),
    );
    s.push('stdout', 'a');
    s.push('stdout', 'b');
    await s.close();
    expect(calls).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('stops shipping and reports when the master refuses the attempt', async () => {
    const refused: string[] = [];
    let sent = 0;
    const s = new LogShipper(async () => (sent++, { accepted: false, reason: 'attempt superseded' }), 1, (r) => refused.push(r), () => 1, spill());
    s.push('stdout', 'a');
    await s.close();
    s.push('stdout', 'b');
    await s.close();
    expect(refused).toEqual(['attempt superseded']);
    expect(sent).toBe(1);
  });

  it('truncates a giant line instead of holding it whole', async () => {
    const got: OutLine[] = [];
    const s = new LogShipper(async (lines) => (got.push(...lines), ok), 1, () => undefined, () => 1, spill());
    s.push('stdout', 'x'.repeat(200_000));
    await s.close();
    expect(got[0].text.length).toBeLessThan(70_000);
    expect(got[0].text.endsWith('[line truncated]')).toBe(true);
  });
});

describe('LogShipper while the master is unreachable', () => {
  it('keeps at most memoryLines in memory, spills the rest to disk, and delivers all in order', async () => {
    let down = true;
    const got: OutLine[] = [];
    const file = spill();
    const s = new LogShipper(
      async (lines) => {
        if (down) throw new Error('UNAVAILABLE');
        got.push(...lines);
        return ok;
      },
      1,
      () => undefined,
      () => 5,
      file,
      100,
    );
    for (let i = 1; i <= 5000; i++) s.push('stdout', `line ${i}`);
    expect(existsSync(file)).toBe(true);
    down = false;
    await s.close();
    expect(got.map((l) => l.seq)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(got[4999].text).toBe('line 5000');
    expect(existsSync(file)).toBe(false);
  });
});
