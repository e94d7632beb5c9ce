import { Box, Button, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';
import { useMemo, useState } from 'react';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatBytes } from '../shared/format';
import { buildTree, languageOf, type TreeNode } from './file-tree';
import { useFileEditor } from './use-file-editor';
import { useSpiderFiles } from './use-spiders';

function Tree({ nodes, depth, selected, onSelect }: { nodes: TreeNode[]; depth: number; selected: string | null; onSelect: (p: string) => void }) {
  return (
    <ul role={depth === 0 ? 'tree' : 'group'} aria-label={depth === 0 ? 'Spider files' : undefined} style={{ listStyle: 'none', paddingLeft: depth ? 14 : 0, margin: 0 }}>
      {nodes.map((n) => (
        <li key={n.path} role="treeitem" aria-label={n.path} aria-selected={n.path === selected} aria-expanded={n.dir ? true : undefined}>
          {n.dir ? (
            <Text size="sm" fw={600}>{n.name}/</Text>
          ) : (
            <UnstyledButton onClick={() => onSelect(n.path)} aria-label={`Open ${n.path}`}>
              <Text size="sm" c={n.path === selected ? 'blue' : undefined}>{n.name}</Text>
            </UnstyledButton>
          )}
          {n.dir && <Tree nodes={n.children} depth={depth + 1} selected={selected} onSelect={onSelect} />}
        </li>
      ))}
    </ul>
  );
}

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
          {ed.dirty && <Button size="xs" variant="default" onClick={ed.discard}>Discard changes</Button>}
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

/** The current version's tree and the open file. */
export function FilesPanel({ spiderId }: { spiderId: string }) {
  const files = useSpiderFiles(spiderId);
  const [selected, setSelected] = useState<string | null>(null);
  const tree = useMemo(() => buildTree((files.data?.files ?? []).map((f) => f.path)), [files.data]);
  const entry = files.data?.files.find((f) => f.path === selected);
  return (
    <Stack>
      <ErrorAlert error={files.error} />
      <Text size="sm" c="dimmed">Version {files.data?.version ?? '…'} · {files.data?.files.length ?? 0} files</Text>
      <Group align="flex-start" wrap="nowrap">
        <Box w={260} style={{ flexShrink: 0 }}>
          <Tree nodes={tree} depth={0} selected={selected} onSelect={setSelected} />
        </Box>
        <Box style={{ flexGrow: 1, minWidth: 0 }}>
          {selected ? (
            // Keyed by path: another file starts with a fresh editor state.
            <FileEditor key={selected} spiderId={spiderId} path={selected} currentVersion={files.data?.version} size={entry?.size} />
          ) : (
            <Text c="dimmed">Choose a file to view or edit it.</Text>
          )}
        </Box>
      </Group>
    </Stack>
  );
}
