import { Group, Text, UnstyledButton } from '@mantine/core';
import type { TreeNode } from './file-tree';

const svg = { width: 14, height: 14, viewBox: '0 0 16 16', 'aria-hidden': true, style: { flexShrink: 0 } } as const;
const Chevron = ({ open }: { open: boolean }) => (
  <svg {...svg}><path d={open ? 'M3 6l5 5 5-5' : 'M6 3l5 5-5 5'} fill="none" stroke="currentColor" strokeWidth="1.8" /></svg>
);
const FolderIcon = () => (
  <svg {...svg}><path d="M1 3.5h5l1.5 1.5H15v8.5H1z" fill="#f2c94c" stroke="#b8962e" /></svg>
);
const FileIcon = () => (
  <svg {...svg}><path d="M3 1h7l3 3v11H3z" fill="#fff" stroke="#868e96" /><path d="M10 1v3h3" fill="none" stroke="#868e96" /></svg>
);

export type Selection = { path: string; dir: boolean } | null;

type Props = {
  nodes: TreeNode[];
  depth: number;
  selected: Selection;
  collapsed: Set<string>;
  onSelect: (s: Selection) => void;
  onToggle: (path: string) => void;
};

/** The spider's files as a tree: folders first, collapsible, each row selectable. */
export function FileTree({ nodes, depth, selected, collapsed, onSelect, onToggle }: Props) {
  return (
    <ul role={depth === 0 ? 'tree' : 'group'} aria-label={depth === 0 ? 'Spider files' : undefined} style={{ listStyle: 'none', paddingLeft: depth ? 14 : 0, margin: 0 }}>
      {nodes.map((n) => {
        const open = n.dir && !collapsed.has(n.path);
        const isSelected = selected?.path === n.path;
        return (
          <li key={`${n.dir ? 'd' : 'f'}:${n.path}`} role="treeitem" aria-label={n.path} aria-selected={isSelected} aria-expanded={n.dir ? open : undefined}>
            <Group gap={4} wrap="nowrap" bg={isSelected ? 'var(--mantine-color-blue-light)' : undefined} style={{ borderRadius: 4 }}>
              {n.dir ? (
                <UnstyledButton onClick={() => onToggle(n.path)} aria-label={`${open ? 'Collapse' : 'Expand'} ${n.path}`} style={{ display: 'flex' }}>
                  <Chevron open={open} />
                </UnstyledButton>
              ) : (
                <span style={{ width: 14, flexShrink: 0 }} />
              )}
              {n.dir ? <FolderIcon /> : <FileIcon />}
              <UnstyledButton
                onClick={() => onSelect({ path: n.path, dir: n.dir })}
                aria-label={n.dir ? `Select folder ${n.path}` : `Open ${n.path}`}
                style={{ minWidth: 0 }}
              >
                <Text size="sm" fw={n.dir ? 600 : undefined} c={isSelected ? 'blue' : undefined} truncate>{n.name}</Text>
              </UnstyledButton>
            </Group>
            {open && <FileTree nodes={n.children} depth={depth + 1} selected={selected} collapsed={collapsed} onSelect={onSelect} onToggle={onToggle} />}
          </li>
        );
      })}
    </ul>
  );
}
