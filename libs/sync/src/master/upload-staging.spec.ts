import { PayloadTooLargeError } from '@crawlnest/node';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { clearStagingDir, stageStream } from './upload-staging';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'staging-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('stageStream: an upload body goes to disk, hashed on the way', () => {
  it('writes the bytes and returns their size and sha256', async () => {
    const staged = await stageStream(Readable.from([Buffer.from('hel'), Buffer.from('lo')]), dir, 10, 'body');
    expect(readFileSync(staged.file, 'utf8')).toBe('hello');
    expect(staged).toMatchObject({ size: 5, sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' });
  });

  it('past the cap: reads the rest (so the client gets its 413), keeps no file, throws 413', async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 10; i++) {
          pulled++;
          yield Buffer.alloc(4, i);
        }
      })(),
    );
    const err = await stageStream(source, dir, 10, 'body').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toBe('body is larger than 10 bytes');
    expect(pulled).toBe(10);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('accepts exactly the cap', async () => {
    await expect(stageStream(Readable.from([Buffer.alloc(10)]), dir, 10, 'body')).resolves.toMatchObject({ size: 10 });
  });
});

describe('clearStagingDir', () => {
  it('removes only old leftovers of uploads', async () => {
    writeFileSync(join(dir, 'upload-old'), 'x');
    writeFileSync(join(dir, 'upload-new'), 'x');
    writeFileSync(join(dir, 'other'), 'x');
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(dir, 'upload-old'), hourAgo, hourAgo);
    expect(await clearStagingDir(dir)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['other', 'upload-new']);
  });
});
