import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { filesApi } from '../api/files-client';
import type { FileChange } from '../api/files-types';

/**
 * Changes to the files staged in the browser and saved together as ONE new version. The batch
 * names the version it was made on (the first staged change fixes it): the master refuses (409)
 * when a path it touches changed after that, and the staged changes stay for the user to discard.
 */
export function useFileChanges(spiderId: string, currentVersion: number | undefined) {
  const qc = useQueryClient();
  const [base, setBase] = useState<number | null>(null);
  const [changes, setChanges] = useState<FileChange[]>([]);
  const [contents, setContents] = useState<Map<string, Blob>>(new Map());
  const save = useMutation({
    mutationFn: () => filesApi.applyChanges(spiderId, base as number, changes, contents),
    // Refused (a newer save touched the same files): the tree's version catches up at once.
    onError: () => qc.invalidateQueries({ queryKey: ['spiders', spiderId, 'files'], exact: true }),
    onSuccess: async () => {
      setChanges([]);
      setContents(new Map());
      setBase(null);
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['spiders', spiderId, 'files'], exact: true }),
        qc.invalidateQueries({ queryKey: ['spiders', spiderId], exact: true }),
        qc.invalidateQueries({ queryKey: ['spiders', spiderId, 'versions'], exact: true }),
        qc.invalidateQueries({ queryKey: ['spiders'], exact: true }),
      ]);
    },
  });
  const stage = (c: FileChange, content?: Blob) => {
    if (currentVersion === undefined) return;
    save.reset();
    if (base === null) setBase(currentVersion);
    setChanges((cs) => [...cs, c]);
    if (c.op === 'put' && content) setContents((m) => new Map(m).set(c.path, content));
  };
  const discard = () => {
    save.reset();
    setChanges([]);
    setContents(new Map());
    setBase(null);
  };
  return { base, changes, stage, discard, save, submit: () => save.mutate() };
}
