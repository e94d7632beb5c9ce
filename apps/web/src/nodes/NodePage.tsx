import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo, formatBytes, formatPairs, taskDuration } from '../shared/format';
import { StatusBadge } from '../shared/StatusBadge';
import { useNow } from '../shared/use-now';
import { useSpiders } from '../spiders/use-spiders';
import { useTaskPage } from '../tasks/use-tasks';
import { HistoryChart } from './HistoryChart';
import { useNode, useNodeHistory } from './use-nodes';

/** One node: its figures now, the tasks it runs, and its last hour of CPU, memory and running tasks. */
export default function NodePage() {
  const { id = '' } = useParams();
  const node = useNode(id);
  const history = useNodeHistory(id);
  const running = useTaskPage({ status: 'running', nodeId: id, page: 1, size: 50 });
  const spiders = useSpiders();
  const now = useNow(1000, true);
  const n = node.data;
  const spiderName = new Map((spiders.data ?? []).map((s) => [s.id, s.name]));
  const h = history.data;
  return (
    <Stack>
      <Group>
        <Anchor component={Link} to="/nodes">Nodes</Anchor>
        <Text c="dimmed">/</Text>
      </Group>
      <Group>
        <Title order={2}>{n ? `Node ${n.name}` : 'Node'}</Title>
        {n && <StatusBadge status={n.status} />}
      </Group>
      <ErrorAlert error={node.error ?? history.error ?? running.error} />
      {n && (
        <SimpleGrid cols={{ base: 2, md: 5 }}>
          <Card withBorder aria-label="Running now"><Text size="sm" c="dimmed">Running</Text><Text fw={700}>{n.status === 'online' ? `${n.runningTasks}/${n.maxRunners}` : `—/${n.maxRunners}`}</Text></Card>
          <Card withBorder aria-label="CPU now"><Text size="sm" c="dimmed">CPU</Text><Text fw={700}>{n.resources ? `${n.resources.cpuPercent.toFixed(0)}%` : '—'}</Text></Card>
          <Card withBorder aria-label="Memory now"><Text size="sm" c="dimmed">Memory</Text><Text fw={700}>{formatBytes(n.resources?.memoryBytes)}</Text></Card>
          <Card withBorder aria-label="Host"><Text size="sm" c="dimmed">Host</Text><Text fw={700}>{n.hostname} {n.ip}</Text></Card>
          <Card withBorder aria-label="Heartbeat"><Text size="sm" c="dimmed">Heartbeat</Text><Text fw={700}>{formatAgo(n.lastHeartbeatAt, now)}</Text><Text size="xs" c="dimmed">{formatPairs(n.labels) || 'no labels'}</Text></Card>
        </SimpleGrid>
      )}
      <Card withBorder>
        <Title order={4}>Running tasks</Title>
        <Table aria-label="Running tasks">
          <Table.Thead>
            <Table.Tr><Table.Th>Task</Table.Th><Table.Th>Status</Table.Th><Table.Th>Spider</Table.Th><Table.Th>Started</Table.Th><Table.Th>Duration</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {running.data?.items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td><Anchor component={Link} to={`/tasks/${t.id}`} aria-label={`Task ${t.id}`}>{t.id.slice(-8)}</Anchor></Table.Td>
                <Table.Td><StatusBadge status={t.status} /></Table.Td>
                <Table.Td>{spiderName.get(t.spiderId) ?? t.spiderId.slice(-8)}</Table.Td>
                <Table.Td>{formatAgo(t.startedAt, now)}</Table.Td>
                <Table.Td>{taskDuration(t, now, running.dataUpdatedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {running.data?.items.length === 0 && <Text size="sm" c="dimmed">Nothing running on this node.</Text>}
      </Card>
      <Title order={4}>Last hour</Title>
      {h && (
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <HistoryChart title="CPU" samples={h.samples} value={(s) => s.cpuPercent} format={(v) => `${Math.round(v)}%`} minMax={100} slotMs={h.slotMs} windowMs={h.windowMs} nowMs={now} />
          <HistoryChart title="Memory" samples={h.samples} value={(s) => s.memoryBytes} format={formatBytes} slotMs={h.slotMs} windowMs={h.windowMs} nowMs={now} />
          <HistoryChart title="Running tasks" samples={h.samples} value={(s) => s.runningTasks} format={(v) => String(Math.round(v))} minMax={n ? Math.max(1, n.maxRunners) : undefined} slotMs={h.slotMs} windowMs={h.windowMs} nowMs={now} />
        </SimpleGrid>
      )}
    </Stack>
  );
}
