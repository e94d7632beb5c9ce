import { Code, Drawer, Stack, Table, Text } from '@mantine/core';
import { useState, type MouseEvent as ReactMouseEvent } from 'react';
import type { ResultItem } from '../api/types';
import { formatCell } from '../shared/format';
import { fullValue } from './result-columns';

const MIN_WIDTH = 60;
const DEFAULT_WIDTH = 200;

/**
 * Results one line per cell (ellipsis; the full value on hover and in the row drawer), with
 * columns widened by dragging their header's edge. `columns` is what the caller chose to show.
 */
export function ResultsTable({ columns, items, maxHeight }: { columns: string[]; items: ResultItem[]; maxHeight?: string }) {
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [open, setOpen] = useState<ResultItem | null>(null);
  const width = (c: string) => widths[c] ?? DEFAULT_WIDTH;

  const startResize = (c: string) => (e: ReactMouseEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const x0 = e.clientX;
    const w0 = width(c);
    const move = (ev: MouseEvent) => setWidths((w) => ({ ...w, [c]: Math.max(MIN_WIDTH, w0 + ev.clientX - x0) }));
    const up = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };

  const total = columns.reduce((s, c) => s + width(c), 0);
  return (
    <>
      <div style={{ overflow: 'auto', maxHeight, border: '1px solid var(--mantine-color-gray-3)' }}>
        <Table striped highlightOnHover verticalSpacing={2} horizontalSpacing={8} fz="xs" aria-label="Results"
          style={{ tableLayout: 'fixed', width: Math.max(total, 300) }} stickyHeader>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c} style={{ width: width(c), position: 'relative', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }} title={c}>
                  {c}
                  <span role="separator" aria-orientation="vertical" aria-label={`Resize ${c}`} onMouseDown={startResize(c)}
                    style={{ position: 'absolute', right: 0, top: 0, bottom: 0, width: 6, cursor: 'col-resize', borderRight: '2px solid var(--mantine-color-gray-3)' }} />
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item, i) => (
              <Table.Tr key={String(item._id ?? i)} onClick={() => setOpen(item)} style={{ cursor: 'pointer' }} data-row>
                {columns.map((c) => {
                  const text = formatCell(item[c]);
                  return (
                    <Table.Td key={c} title={fullValue(item[c])} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{text}</Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title="Result item">
        {open && (
          <Stack gap="sm" aria-label="Result item fields">
            {Object.entries(open).map(([k, v]) => (
              <div key={k}>
                <Text size="xs" fw={600}>{k}</Text>
                {typeof v === 'object' && v !== null
                  ? <Code block>{fullValue(v)}</Code>
                  : <Text size="sm" style={{ wordBreak: 'break-word', whiteSpace: 'pre-wrap' }}>{fullValue(v)}</Text>}
              </div>
            ))}
          </Stack>
        )}
      </Drawer>
    </>
  );
}
