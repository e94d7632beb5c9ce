import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { packedSize, packedSizeBound, packedSizeWithin } from './measure-archive';

describe('packed size of a deploy', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cn-measure-'));
    writeFileSync(join(dir, 'random.bin'), randomBytes(100_000));
    writeFileSync(join(dir, 'zeros.bin'), Buffer.alloc(100_000));
    writeFileSync(join(dir, 'a'.repeat(150) + '.txt'), 'long name\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const files = () => [
    { path: 'random.bin', size: 100_000 },
    { path: 'zeros.bin', size: 100_000 },
    { path: 'a'.repeat(150) + '.txt', size: 10 },
  ];

  it('the bound is never below the real packed size, even for incompressible content', async () => {
    const real = await packedSize(dir, files().map((f) => f.path));
    expect(real).toBeGreaterThan(100_000);
    expect(packedSizeBound(files())).toBeGreaterThanOrEqual(real);
  });

  it('measures exactly only when the bound is over the limit', async () => {
    expect(await packedSizeWithin(dir, files(), 10_000_000)).toEqual({ bytes: packedSizeBound(files()), exact: false });
    const zerosOnly = [{ path: 'zeros.bin', size: 100_000 }];
    const m = await packedSizeWithin(dir, zerosOnly, 50_000);
    expect(m.exact).toBe(true);
    expect(m.bytes).toBeLessThan(2_000);
  });
});
