import { Readable } from 'node:stream';
import { fixedChunks } from './chunking';

async function cut(pieces: number[], size: number): Promise<number[]> {
  let n = 0;
  const bufs = pieces.map((len) => Buffer.from(Array.from({ length: len }, () => n++ % 256)));
  const out: Buffer[] = [];
  for await (const c of fixedChunks(Readable.from(bufs), size)) out.push(c);
  // Content survives the re-cut byte for byte.
  expect(Buffer.concat(out).equals(Buffer.concat(bufs))).toBe(true);
  return out.map((c) => c.length);
}

describe('fixedChunks: content stored and streamed in chunks of at most one size', () => {
  it.each<[string, number[], number, number[]]>([
    ['nothing', [], 4, []],
    ['one short piece', [3], 4, [3]],
    ['exactly one chunk', [4], 4, [4]],
    ['pieces smaller than a chunk are joined', [1, 1, 1, 1, 1], 4, [4, 1]],
    ['a piece larger than several chunks is split', [10], 4, [4, 4, 2]],
    ['pieces straddling chunk borders', [3, 3, 3], 4, [4, 4, 1]],
    ['empty pieces are ignored', [0, 4, 0], 4, [4]],
    ['1 MB chunks of a 2.5 MB stream', [700_000, 700_000, 700_000, 521_440], 1_048_576, [1_048_576, 1_048_576, 524_288]],
  ])('%s', async (_what, pieces, size, sizes) => {
    const got = await cut(pieces, size);
    expect(got).toEqual(sizes);
    expect(got.every((n) => n <= size)).toBe(true);
  });
});
