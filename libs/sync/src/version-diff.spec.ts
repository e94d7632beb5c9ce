import type { ManifestEntry } from './manifest';
import { diffVersions, sameEntry, sameTree } from './version-diff';

const e = (path: string, sha256: string, mode = 0o644, size = 1): ManifestEntry => ({ path, sha256, mode, size });

describe('diffVersions', () => {
  const cases: { name: string; from: ManifestEntry[]; to: ManifestEntry[]; added: string[]; removed: string[]; changed: string[] }[] = [
    { name: 'identical trees', from: [e('a', '1'), e('b', '2')], to: [e('b', '2'), e('a', '1')], added: [], removed: [], changed: [] },
    { name: 'added and removed', from: [e('a', '1'), e('gone', '2')], to: [e('a', '1'), e('new', '3')], added: ['new'], removed: ['gone'], changed: [] },
    { name: 'content change', from: [e('a', '1')], to: [e('a', '2')], added: [], removed: [], changed: ['a'] },
    { name: 'mode-only change', from: [e('a', '1', 0o644)], to: [e('a', '1', 0o755)], added: [], removed: [], changed: ['a'] },
    { name: 'from nothing', from: [], to: [e('z', '1'), e('a', '2')], added: ['a', 'z'], removed: [], changed: [] },
  ];
  it.each(cases)('$name', ({ from, to, added, removed, changed }) => {
    const d = diffVersions(from, to);
    expect(d.added.map((x) => x.path)).toEqual(added);
    expect(d.removed.map((x) => x.path)).toEqual(removed);
    expect(d.changed.map((x) => x.path)).toEqual(changed);
  });
});

describe('sameTree / sameEntry', () => {
  it('ignores order, notices content, mode and membership', () => {
    expect(sameTree([e('a', '1'), e('b', '2')], [e('b', '2'), e('a', '1')])).toBe(true);
    expect(sameTree([e('a', '1')], [e('a', '1', 0o755)])).toBe(false);
    expect(sameTree([e('a', '1')], [e('a', '1'), e('b', '2')])).toBe(false);
    expect(sameTree([], [])).toBe(true);
    expect(sameEntry(undefined, undefined)).toBe(true);
    expect(sameEntry(e('a', '1'), undefined)).toBe(false);
  });
});
