import { useEffect, useState } from 'react';
import { useSaveFile, useVersionFileText } from './use-spiders';

/** The text the editor was loaded with and the version it was read at (what a save is based on). */
type Opened = { version: number; content: string };

/**
 * One file in the editor. While nothing is typed it follows the spider's current version; once
 * the user edits, it stays on the version the text was read at and the save names that version,
 * so the master refuses (409) a save over someone else's newer one. The editor gets the saved
 * text back as its own after a save: nothing refetched can replace it with an older or empty
 * text (the bug of issue 20: a refetch keyed by the old version reset the editor).
 */
export function useFileEditor(spiderId: string, path: string, currentVersion: number | undefined) {
  const [opened, setOpened] = useState<Opened | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const following = draft === null || opened === null;
  const want = following ? currentVersion : opened.version;
  const text = useVersionFileText(spiderId, path, want);
  const save = useSaveFile(spiderId);

  useEffect(() => {
    // Never backwards: right after a save the file list may still name the version before it
    // (its refetch is on the way); following it would put the pre-save text back in the editor.
    if (!following || want === undefined || text.data === undefined || (opened !== null && opened.version >= want)) return;
    setOpened({ version: want, content: text.data });
  }, [following, want, text.data, opened?.version]);

  const dirty = opened !== null && draft !== null && draft !== opened.content;
  const submit = () => {
    if (!opened || draft === null) return;
    const sent = draft;
    save.mutate(
      { path, content: sent, baseVersion: opened.version },
      {
        onSuccess: (r) => {
          setOpened({ version: r.version, content: sent });
          // Typed while the save was on its way: that text stays a draft.
          setDraft((d) => (d === sent ? null : d));
        },
      },
    );
  };
  const discard = () => {
    save.reset();
    setDraft(null);
  };
  return { opened, shown: draft ?? opened?.content, setDraft, dirty, submit, discard, save, loadError: text.error };
}
