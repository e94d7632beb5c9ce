import { Box, Button, FileButton, Group, Stack, Text } from '@mantine/core';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';
import { useMemo, useState } from 'react';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatBytes } from '../shared/format';
import { filesApi } from '../api/files-client';
import { FileDialog, type Dialog } from './FileDialogs';
import { buildTree, languageOf } from './file-tree';
import { FileTree, type Selection } from './FileTree';
import { applyStaged, describeChange, folderOf, joinPath } from './staged-changes';
import { useFileChanges } from './use-file-changes';
import { useFileEditor } from './use-file-editor';
import { useSpiderFiles, useVersionFiles } from './use-spiders';

/** One open file: a viewer/editor with highlighting; saving makes a new version. */
function FileEditor({ spiderId, path, currentVersion, size }: { spiderId: string; path: string; currentVersion: number | undefined; size: number | undefined }) {
  const ed = useFileEditor(spiderId, path, currentVersion);
  const lang = languageOf(path);
  const extensions = useMemo(() => (lang === 'python' ? [python()] : lang === 'javascript' || lang === 'json' ? [javascript()] : []), [lang]);
  const saved = ed.save.data;
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600}>
          {path} <Text span size="xs" c="dimmed">{formatBytes(size)}{ed.opened ? ` · opened at version ${ed.opened.version}` : ''}</Text>
        </Text>
        <Group gap="xs">
          {ed.dirty && (
            <ConfirmButton size="xs" variant="default" color="red" question={`Discard your unsaved edits of ${path}?`} confirmLabel="Discard" onConfirm={ed.discard}>
              Discard changes
            </ConfirmButton>
          )}
          <Button size="xs" disabled={!ed.dirty} loading={ed.save.isPending} onClick={ed.submit}>
            Save file
          </Button>
        </Group>
      </Group>
      <ErrorAlert error={ed.loadError ?? ed.save.error} title={ed.save.error ? 'Not saved' : undefined} />
      {saved && !ed.dirty && (
        <Text size="xs" c="green" role="status">{saved.unchanged ? `No change: still version ${saved.version}` : `Saved as version ${saved.version}`}</Text>
      )}
      {ed.opened ? (
        <CodeMirror value={ed.shown} height="420px" extensions={extensions} onChange={ed.setDraft} aria-label={`Editor for ${path}`} />
      ) : (
        <Text c="dimmed" size="sm">Loading {path}…</Text>
      )}
    </Stack>
  );
}

/** The current version's tree, the changes staged on it, and the open file. */
export function FilesPanel({ spiderId, canEdit = true }: { spiderId: string; canEdit?: boolean }) {
  const files = useSpiderFiles(spiderId);
  const version = files.data?.version;
  const changes = useFileChanges(spiderId, version);
  // While changes are staged the tree shows them on the version they were made on.
  const baseFiles = useVersionFiles(spiderId, changes.base);
  const [selected, setSelected] = useState<Selection>(null);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [download, setDownload] = useState<unknown>(null);
  const staging = changes.changes.length > 0;
  const savedPaths = useMemo(() => (files.data?.files ?? []).map((f) => f.path), [files.data]);
  const view = useMemo(
    () => applyStaged(staging && baseFiles.data ? baseFiles.data.map((f) => f.path) : savedPaths, changes.changes),
    [staging, baseFiles.data, savedPaths, changes.changes],
  );
  const tree = useMemo(() => buildTree(view.paths, view.dirs), [view]);
  const stillThere = selected && (selected.dir ? view.dirs.includes(selected.path) || view.paths.some((p) => p.startsWith(`${selected.path}/`)) : view.paths.includes(selected.path));
  const sel = stillThere ? selected : null;
  const openFile = sel && !sel.dir && savedPaths.includes(sel.path) ? sel.path : null;
  const entry = files.data?.files.find((f) => f.path === openFile);
  const folder = folderOf(sel?.path ?? null, sel?.dir ?? false);
  const toggle = (p: string) => setCollapsed((c) => { const n = new Set(c); if (n.has(p)) n.delete(p); else n.add(p); return n; });
  const uploadInto = (picked: File[]) => picked.forEach((f) => changes.stage({ op: 'put', path: joinPath(folder, f.name) }, f));
  const fetchFile = (run: () => Promise<void>) => {
    setDownload(null);
    run().catch(setDownload);
  };
  return (
    <Stack>
      <ErrorAlert error={files.error ?? download} />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">Version {version ?? '…'} · {files.data?.files.length ?? 0} files</Text>
        <Button size="xs" variant="default" disabled={!version} onClick={() => fetchFile(() => filesApi.downloadVersion(spiderId, version as number))}>Download version as zip</Button>
      </Group>
      {canEdit && (
        <Group gap="xs" aria-label="File actions" role="toolbar">
          <Button size="xs" variant="light" onClick={() => setDialog({ kind: 'new-file', folder })}>New file</Button>
          <Button size="xs" variant="light" onClick={() => setDialog({ kind: 'new-folder', folder })}>New folder</Button>
          <FileButton onChange={uploadInto} multiple>
            {(props) => <Button size="xs" variant="light" {...props}>Upload into {folder ? `${folder}/` : 'top level'}</Button>}
          </FileButton>
          <Button size="xs" variant="default" disabled={!sel} onClick={() => sel && setDialog({ kind: 'rename', path: sel.path })}>Rename</Button>
          <Button size="xs" variant="default" disabled={!sel} onClick={() => sel && setDialog({ kind: 'move', path: sel.path })}>Move</Button>
          <ConfirmButton size="xs" variant="default" color="red" disabled={!sel} confirmLabel="Delete"
            question={sel ? `Delete ${sel.dir ? `folder ${sel.path} and everything in it` : sel.path}? It goes with the next "Save changes".` : ''}
            onConfirm={() => sel && changes.stage({ op: 'delete', path: sel.path })}>
            Delete
          </ConfirmButton>
          <Button size="xs" variant="default" disabled={!openFile} onClick={() => openFile && fetchFile(() => filesApi.downloadFile(spiderId, version as number, openFile))}>Download file</Button>
        </Group>
      )}
      {staging && (
        <Box p="sm" style={{ border: '1px solid var(--mantine-color-yellow-5)', borderRadius: 6 }} aria-label="Changes not saved yet" role="region">
          <Group justify="space-between" align="flex-start">
            <Stack gap={2}>
              <Text size="sm" fw={600}>{changes.changes.length} {changes.changes.length === 1 ? 'change' : 'changes'} not saved (made on version {changes.base})</Text>
              {changes.changes.map((c, i) => <Text key={i} size="xs" ff="monospace">{describeChange(c)}</Text>)}
            </Stack>
            <Group gap="xs">
              <ConfirmButton size="xs" variant="default" color="red" confirmLabel="Discard"
                question={`Discard ${changes.changes.length === 1 ? 'the change' : `the ${changes.changes.length} changes`} not saved?`} onConfirm={changes.discard}>
                Discard changes
              </ConfirmButton>
              <Button size="xs" loading={changes.save.isPending} onClick={changes.submit}>Save changes</Button>
            </Group>
          </Group>
        </Box>
      )}
      <ErrorAlert error={changes.save.error} title={changes.save.error ? 'Changes not saved' : undefined} />
      {changes.save.data && !staging && <Text size="xs" c="green" role="status">{changes.save.data.unchanged ? `No change: still version ${changes.save.data.version}` : `Changes saved as version ${changes.save.data.version}`}</Text>}
      <Group align="flex-start" wrap="nowrap">
        <Box w={280} style={{ flexShrink: 0 }}>
          <FileTree nodes={tree} depth={0} selected={sel} collapsed={collapsed} onSelect={setSelected} onToggle={toggle} />
        </Box>
        <Box style={{ flexGrow: 1, minWidth: 0 }}>
          {openFile ? (
            // Keyed by path: another file starts with a fresh editor state.
            <FileEditor key={openFile} spiderId={spiderId} path={openFile} currentVersion={version} size={entry?.size} />
          ) : (
            <Text c="dimmed">{sel?.dir ? `Folder ${sel.path}/ selected: new files and uploads go into it.` : sel ? `${sel.path} is staged: save the changes to open it.` : 'Choose a file to view or edit it.'}</Text>
          )}
        </Box>
      </Group>
      {dialog && (
        <FileDialog
          dialog={dialog}
          view={view}
          onClose={() => setDialog(null)}
          onNewFile={(path, content) => { changes.stage({ op: 'put', path }, new Blob([content])); setSelected({ path, dir: false }); }}
          onNewFolder={(path) => { changes.stage({ op: 'mkdir', path }); setSelected({ path, dir: true }); }}
          onMove={(from, to) => { changes.stage({ op: 'move', from, to }); setSelected((s) => (s ? { path: to, dir: s.dir } : s)); }}
        />
      )}
    </Stack>
  );
}
