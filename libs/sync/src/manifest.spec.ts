import { chunkManifest, diffManifest, LocalEntry, ManifestEntry, permissionBits } from './manifest';

const e = (path: string, sha256: string, size = 1, mode = 0o644): ManifestEntry => ({ path, sha256, size, mode });
const local = (entries: [string, LocalEntry][]) => new Map(entries);

describe('diffManifest: what a worker must do to reach a version', () => {
  it.each([
    {
      name: 'empty local copy downloads everything',
      manifest: [e('a', 'h1'), e('d/b', 'h2')],
      have: local([]),
      want: { download: ['a', 'd/b'], chmod: [], remove: [] },
    },
    {
      name: 'identical copy does nothing',
      manifest: [e('a', 'h1')],
      have: local([['a', { sha256: 'h1', size: 1, mode: 0o644 }]]),
      want: { download: [], chmod: [], remove: [] },
    },
    {
      name: 'changed content is downloaded',
      manifest: [e('a', 'h2')],
      have: local([['a', { sha256: 'h1', size: 1, mode: 0o644 }]]),
      want: { download: ['a'], chmod: [], remove: [] },
    },
    {
      name: 'same hash but a size mismatch (truncated file) is downloaded',
      manifest: [e('a', 'h1', 10)],
      have: local([['a', { sha256: 'h1', size: 3, mode: 0o644 }]]),
      want: { download: ['a'], chmod: [], remove: [] },
    },
    {
      name: 'only the mode changed: chmod, no download',
      manifest: [e('run.sh', 'h1', 1, 0o755)],
      have: local([['run.sh', { sha256: 'h1', size: 1, mode: 0o644 }]]),
      want: { download: [], chmod: ['run.sh'], remove: [] },
    },
    {
      name: 'files gone from the version are removed',
      manifest: [e('keep', 'h1')],
      have: local([
        ['keep', { sha256: 'h1', size: 1, mode: 0o644 }],
        ['old/gone.py', { sha256: 'h9', size: 1, mode: 0o644 }],
      ]),
      want: { download: [], chmod: [], remove: ['old/gone.py'] },
    },
  ])('$name', ({ manifest, have, want }) => {
    const d = diffManifest(manifest, have);
    expect({ download: d.download.map((x) => x.path), chmod: d.chmod.map((x) => x.path), remove: d.remove }).toEqual(want);
  });
});

describe('chunkManifest', () => {
  it.each([
    [0, [0]],
    [1, [1]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('splits %i entries into chunks of %j', (n, sizes) => {
    const entries = Array.from({ length: n }, (_, i) => e(`f${i}`, `h${i}`));
    const chunks = chunkManifest(entries);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(entries);
  });
});

describe('permissionBits', () => {
  it.each([
    [0o100755, 0o755],
    [0o644, 0o644],
    [undefined, 0o644],
    [Number.NaN, 0o644],
  ])('%o → %o', (mode, bits) => {
    expect(permissionBits(mode as number | undefined)).toBe(bits);
  });
});
