import { Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { joinPath, targetProblem, type StagedView } from './staged-changes';

export type Dialog =
  | { kind: 'new-file'; folder: string }
  | { kind: 'new-folder'; folder: string }
  | { kind: 'rename'; path: string }
  | { kind: 'move'; path: string };

type Props = {
  dialog: Dialog;
  view: StagedView;
  onClose: () => void;
  onNewFile: (path: string, content: string) => void;
  onNewFolder: (path: string) => void;
  onMove: (from: string, to: string) => void;
};

const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const nameOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Every folder of the staged tree (the root as ''), for the move target picker. */
function foldersOf(view: StagedView): string[] {
  const out = new Set<string>(['']);
  for (const p of [...view.paths, ...view.dirs.map((d) => `${d}/x`)]) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('/'));
  }
  return [...out].sort();
}

/** The small forms of the Files tab: new file, new folder, rename, move. Each stages one change. */
export function FileDialog({ dialog, view, onClose, onNewFile, onNewFolder, onMove }: Props) {
  const initial = dialog.kind === 'rename' ? nameOf(dialog.path) : '';
  const [name, setName] = useState(initial);
  const [content, setContent] = useState('');
  const [folder, setFolder] = useState<string | null>(dialog.kind === 'move' ? parentOf(dialog.path) : null);

  const target =
    dialog.kind === 'new-file' || dialog.kind === 'new-folder'
      ? joinPath(dialog.folder, name.trim())
      : dialog.kind === 'rename'
        ? joinPath(parentOf(dialog.path), name.trim())
        : joinPath(folder ?? '', nameOf(dialog.path));
  const unchanged = (dialog.kind === 'rename' || dialog.kind === 'move') && target === dialog.path;
  const problem = unchanged ? null : targetProblem(view, target);
  const submit = () => {
    if (problem || unchanged) return onClose();
    if (dialog.kind === 'new-file') onNewFile(target, content);
    else if (dialog.kind === 'new-folder') onNewFolder(target);
    else onMove(dialog.path, target);
    onClose();
  };
  const title = { 'new-file': 'New file', 'new-folder': 'New folder', rename: `Rename ${dialog.kind === 'rename' ? dialog.path : ''}`, move: `Move ${dialog.kind === 'move' ? dialog.path : ''}` }[dialog.kind];
  const moveTargets = dialog.kind === 'move' ? foldersOf(view).filter((f) => f !== dialog.path && !f.startsWith(`${dialog.path}/`)) : [];
  return (
    <Modal opened onClose={onClose} title={title} centered>
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Stack>
          {dialog.kind === 'move' ? (
            <Select label="Into folder" data={moveTargets.map((f) => ({ value: f, label: f ? `${f}/` : '/ (top level)' }))} value={folder} onChange={setFolder} allowDeselect={false} searchable comboboxProps={{ withinPortal: false }} />
          ) : (
            <TextInput
              label={dialog.kind === 'new-folder' ? 'Folder name' : dialog.kind === 'new-file' ? 'File name' : 'New name'}
              description={dialog.kind !== 'rename' && dialog.folder ? `in ${dialog.folder}/` : undefined}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-autofocus
            />
          )}
          {dialog.kind === 'new-file' && <Textarea label="Content" autosize minRows={3} maxRows={12} value={content} onChange={(e) => setContent(e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />}
          {problem && (dialog.kind === 'move' || name !== '') && <Text size="sm" c="red" role="alert">{problem}</Text>}
          <Text size="xs" c="dimmed">Staged: nothing changes until you save the changes.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!!problem || unchanged}>Stage</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
