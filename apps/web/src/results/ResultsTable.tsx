import { ScrollArea, Table } from '@mantine/core';
import type { ResultItem } from '../api/types';
import { formatCell } from '../shared/format';

/** Columns come from the fields the master has seen for this spider, in first-seen order. */
export function ResultsTable({ fields, items }: { fields: string[]; items: ResultItem[] }) {
  const columns = fields.length ? fields : [...new Set(items.flatMap((i) => Object.keys(i)))];
  return (
    <ScrollArea>
      <Table striped aria-label="Results">
        <Table.Thead>
          <Table.Tr>{columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item, i) => (
            <Table.Tr key={String(item._id ?? i)}>
              {columns.map((c) => <Table.Td key={c}>{formatCell(item[c])}</Table.Td>)}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
