import { Anchor, Button, Group, Pagination, Select, Stack, Table, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { TASK_STATUSES, type TaskStatus } from '../api/types';
import { useNodes } from '../nodes/use-nodes';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo, formatDuration, livePrepareMs, taskDuration } from '../shared/format';
import { useNow } from '../shared/use-now';
import { StatusBadge } from '../shared/StatusBadge';
import { useSpiders } from '../spiders/use-spiders';
import { useTaskPage } from './use-tasks';

const SIZE = 20;

/** Tasks with filters and paging; filters live in the URL so a filtered list is a link. */
export function TaskList({ fixedSpiderId }: { fixedSpiderId?: string }) {
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') as TaskStatus | null) ?? undefined;
  const spiderId = fixedSpiderId ?? params.get('spiderId') ?? undefined;
  const nodeId = params.get('nodeId') ?? undefined;
  const page = Number(params.get('page') ?? 1) || 1;
  // Cursors of the pages before this one, when the master pages by cursor.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const tasks = useTaskPage({ status, spiderId, nodeId, page: after ? 1 : page, size: SIZE, after });
  const spiders = useSpiders();
  const nodes = useNodes();
  const spiderName = useMemo(() => new Map((spiders.data ?? []).map((s) => [s.id, s.name])), [spiders.data]);
  const nodeName = useMemo(() => new Map((nodes.data ?? []).map((n) => [n.id, n.name])), [nodes.data]);
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== 'page') next.delete('page');
    setCursors([]);
    setParams(next);
  };
  const data = tasks.data;
  // Durations of active tasks count up between polls, from the master's figure at the answer.
  const now = useNow(1000, !!data?.items.some((t) => t.status === 'assigned' || t.status === 'running'));
  const cursorMode = data?.nextAfter !== undefined;
  return (
    <Stack>
      <Group>
        <Select label="Status" placeholder="any" clearable data={TASK_STATUSES} value={status ?? null} onChange={(v) => set('status', v)} w={160} />
        {!fixedSpiderId && (
          <Select label="Spider" placeholder="any" clearable searchable data={(spiders.data ?? []).map((s) => ({ value: s.id, label: s.name }))} value={spiderId ?? null} onChange={(v) => set('spiderId', v)} w={200} />
        )}
        <Select label="Node" placeholder="any" clearable data={(nodes.data ?? []).map((n) => ({ value: n.id, label: n.name }))} value={nodeId ?? null} onChange={(v) => set('nodeId', v)} w={200} />
      </Group>
      <ErrorAlert error={tasks.error} />
      <Table striped aria-label="Tasks" aria-busy={tasks.isFetching}>
        <Table.Thead>
          <Table.Tr><Table.Th>Task</Table.Th><Table.Th>Status</Table.Th><Table.Th>Spider</Table.Th><Table.Th>Node</Table.Th><Table.Th>Created</Table.Th><Table.Th>Duration</Table.Th><Table.Th>Why / error</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.items.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td><Anchor component={Link} to={`/tasks/${t.id}`} aria-label={`Task ${t.id}`}>{t.id.slice(-8)}</Anchor></Table.Td>
              <Table.Td><StatusBadge status={t.status} /></Table.Td>
              <Table.Td>{spiderName.get(t.spiderId) ?? t.spiderId.slice(-8)}</Table.Td>
              <Table.Td>{t.nodeId ? (t.nodeName ?? nodeName.get(t.nodeId) ?? t.nodeId.slice(-8)) : '—'}</Table.Td>
              <Table.Td>{formatAgo(t.createdAt)}</Table.Td>
              <Table.Td title={t.prepareMs ? `prepare (sync, environment) ${formatDuration(livePrepareMs(t, now, tasks.dataUpdatedAt))}` : undefined}>
                {taskDuration(t, now, tasks.dataUpdatedAt)}
                {t.prepareMs ? <Text span size="xs" c="dimmed"> · prepare {formatDuration(livePrepareMs(t, now, tasks.dataUpdatedAt))}</Text> : null}
              </Table.Td>
              <Table.Td><Text size="sm" lineClamp={1}>{t.pendingReason ?? t.error ?? ''}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {data && data.items.length === 0 && <Text c="dimmed">No task matches.</Text>}
      {data && (cursorMode ? (
        <Group>
          <Button size="xs" variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</Button>
          <Button size="xs" variant="default" disabled={!data.nextAfter} onClick={() => data.nextAfter && setCursors([...cursors, data.nextAfter])}>Next page</Button>
          <Text size="sm" c="dimmed">{data.total} tasks</Text>
        </Group>
      ) : (
        <Group>
          <Pagination
            total={Math.max(1, Math.ceil(data.total / SIZE))}
            value={page}
            onChange={(p) => set('page', String(p))}
            getControlProps={(c) => ({ 'aria-label': c === 'next' ? 'Next page' : c === 'previous' ? 'Previous page' : c === 'first' ? 'First page' : 'Last page' })}
            getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
          />
          <Text size="sm" c="dimmed">{data.total} tasks</Text>
        </Group>
      ))}
    </Stack>
  );
}
