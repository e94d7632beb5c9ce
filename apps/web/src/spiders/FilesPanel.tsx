import { Box, Button, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';
import { useEffect, useMemo, useState } from 'react';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatBytes } from '../shared/format';
import { buildTree, languageOf, type TreeNode } from './file-tree';
import { useFileText, useSaveFile, useSpiderFiles } from './use-spiders';

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

/** The current version's tree, a viewer/editor with highlighting; saving makes a new version. */
export function FilesPanel({ spiderId }: { spiderId: string }) {
  const files = useSpiderFiles(spiderId);
  const [selected, setSelected] = useState<string | null>(null);
  const text = useFileText(spiderId, selected, files.data?.version);
  const save = useSaveFile(spiderId);
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => setDraft(null), [selected, text.data]);
  const tree = useMemo(() => buildTree((files.data?.files ?? []).map((f) => f.path)), [files.data]);
  const lang = selected ? languageOf(selected) : 'text';
  const extensions = useMemo(() => (lang === 'python' ? [python()] : lang === 'javascript' || lang === 'json' ? [javascript()] : []), [lang]);
  const entry = files.data?.files.find((f) => f.path === selected);
  const dirty = draft !== null && draft !== text.data;
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
            <Stack gap="xs">
              <Group justify="space-between">
                <Text fw={600}>{selected} <Text span size="xs" c="dimmed">{formatBytes(entry?.size)}</Text></Text>
                <Button size="xs" disabled={!dirty} loading={save.isPending} onClick={() => save.mutate({ path: selected, content: draft ?? '' })}>
                  Save file
                </Button>
              </Group>
              <ErrorAlert error={text.error ?? save.error} />
              {save.data && !dirty && <Text size="xs" c="green" role="status">Saved as version {save.data.version}</Text>}
              <CodeMirror
                value={draft ?? text.data ?? ''}
                height="420px"
                extensions={extensions}
                onChange={setDraft}
                aria-label={`Editor for ${selected}`}
              />
            </Stack>
          ) : (
            <Text c="dimmed">Choose a file to view or edit it.</Text>
          )}
        </Box>
      </Group>
    </Stack>
  );
}
