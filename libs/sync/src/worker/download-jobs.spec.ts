import { ManifestEntry } from '../manifest';
import { downloadJobs } from './download-jobs';

const f = (path: string, size: number): ManifestEntry => ({ path, size, mode: 0o644, sha256: path });
const KB = 1024;

describe('downloadJobs: small files travel in batches, large ones alone', () => {
  it.each<[string, ManifestEntry[], string[][]]>([
    ['nothing to fetch', [], []],
    ['one small file', [f('a', 10)], [['a']]],
    ['a large file alone, small ones batched around it', [f('a', 1), f('big', 300 * KB), f('b', 1)], [['big'], ['a', 'b']]],
    ['exactly the small-file limit still batches', [f('a', 256 * KB), f('b', 1)], [['a', 'b']]],
    ['batches close at 64 files', Array.from({ length: 65 }, (_, i) => f(`f${i}`, 1)), [Array.from({ length: 64 }, (_, i) => `f${i}`), ['f64']]],
    ['batches close before 2 MB', Array.from({ length: 9 }, (_, i) => f(`f${i}`, 250 * KB)), [['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'], ['f8']]],
  ])('%s', (_what, entries, want) => {
    const jobs = downloadJobs(entries);
    expect(jobs.map((j) => j.map((e) => e.path))).toEqual(want);
    expect(jobs.flat().length).toBe(entries.length);
  });
});
