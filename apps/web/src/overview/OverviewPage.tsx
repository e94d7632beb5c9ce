import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { TASK_STATUSES } from '../api/types';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { formatAgo, taskDuration } from '../shared/format';
import { FoldedText } from '../shared/FoldedText';
import { useSpiders } from '../spiders/use-spiders';
import { StatusBadge } from '../shared/StatusBadge';
import { ActivityChart } from './ActivityChart';
import { useActivity, useLatestErrors, usePendingTasks, useRecentTasks, useStats } from './use-overview';
import { useMe } from '../access/use-access';

export function OverviewPage() {
  const stats = useStats();
  const me = useMe();
  const activity = useActivity(me.data?.role === 'admin');
  const pending = usePendingTasks();
  const errors = useLatestErrors();
  const recent = useRecentTasks();
  const spiders = useSpiders();
  const s = stats.data;
  const spiderName = new Map((spiders.data ?? []).map((x) => [x.id, x.name]));
  // Maintained per-spider ledger counts (no scan of a results collection).
  const items = spiders.data?.reduce((sum, x) => sum + (x.resultCount ?? 0), 0);
  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <ErrorAlert error={stats.error} />
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Card withBorder aria-label="Spiders">
          <Text size="sm" c="dimmed">Spiders</Text>
          <Text size="xl" fw={700}>{spiders.data?.length ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Items stored">
          <Text size="sm" c="dimmed">Items stored</Text>
          <Text size="xl" fw={700}>{items?.toLocaleString() ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Tasks ended today">
          <Text size="sm" c="dimmed">Tasks ended today (UTC)</Text>
          <Text size="xl" fw={700}>{s?.tasksEndedToday ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Items today">
          <Text size="sm" c="dimmed">Items today (UTC)</Text>
          <Text size="xl" fw={700}>{s?.itemsToday?.toLocaleString() ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Tasks finished, last hour">
          <Text size="sm" c="dimmed">Finished, last hour</Text>
          <Text size="xl" fw={700}>{activity.data ? activity.data.buckets.reduce((n, b) => n + b.finished, 0) : '…'}</Text>
        </Card>
        <Card withBorder aria-label="Failed tasks, last hour">
          <Text size="sm" c="dimmed">Failed, last hour</Text>
          <Text size="xl" fw={700}>{activity.data ? activity.data.buckets.reduce((n, b) => n + b.error + b.abnormal, 0) : '…'}</Text>
        </Card>
        <Card withBorder aria-label="Nodes online">
          <Text size="sm" c="dimmed">Nodes online</Text>
          <Text size="xl" fw={700}>{s?.nodes.online ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Nodes offline">
          <Text size="sm" c="dimmed">Nodes offline</Text>
          <Text size="xl" fw={700}>{s?.nodes.offline ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Stuck pending tasks">
          <Text size="sm" c="dimmed">Stuck pending</Text>
          <Text size="xl" fw={700}>{s?.stuckPending ?? '…'}</Text>
        </Card>
        <Card withBorder aria-label="Running tasks">
          <Text size="sm" c="dimmed">Running</Text>
          <Text size="xl" fw={700}>{s?.tasks.running ?? '…'}</Text>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={4}>Tasks by status</Title>
        <Group mt="xs">
          {TASK_STATUSES.map((st) => (
            <Anchor key={st} component={Link} to={`/tasks?status=${st}`} aria-label={`${st}: ${s?.tasks[st] ?? 0} tasks`}>
              <Group gap={4}>
                <StatusBadge status={st} />
                <Text fw={600}>{s?.tasks[st] ?? '…'}</Text>
              </Group>
            </Anchor>
          ))}
        </Group>
      </Card>
      <Card withBorder>
        <Title order={4}>Tasks per minute, last hour</Title>
        {me.data && me.data.role !== 'admin' ? (
          <Text size="sm" c="dimmed">Activity across all projects is shown to admins.</Text>
        ) : activity.data ? (
          <ActivityChart buckets={activity.data.buckets} />
        ) : isMissingRoute(activity.error) ? (
          <Text size="sm" c="dimmed">This master has no activity API yet.</Text>
        ) : (
          <ErrorAlert error={activity.error} />
        )}
      </Card>
      <Card withBorder>
        <Title order={4}>Recent tasks</Title>
        <ErrorAlert error={recent.error} />
        <Table aria-label="Recent tasks" verticalSpacing={4}>
          <Table.Tbody>
            {recent.data?.items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td><Anchor component={Link} to={`/tasks/${t.id}`}>{t.id.slice(-8)}</Anchor></Table.Td>
                <Table.Td><StatusBadge status={t.status} /></Table.Td>
                <Table.Td>{spiderName.get(t.spiderId) ?? t.spiderId.slice(-8)}</Table.Td>
                <Table.Td>{formatAgo(t.createdAt)}</Table.Td>
                <Table.Td>{taskDuration(t)}</Table.Td>
                <Table.Td>{t.resultCount ?? ''}{t.resultCount !== undefined ? ' items' : ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {recent.data?.items.length === 0 && <Text size="sm" c="dimmed">No tasks yet.</Text>}
      </Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={4}>Pending tasks and why they wait</Title>
          <ErrorAlert error={pending.error} />
          <Table aria-label="Pending tasks">
            <Table.Tbody>
              {pending.data?.items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td><Anchor component={Link} to={`/tasks/${t.id}`}>{t.id.slice(-8)}</Anchor></Table.Td>
                  <Table.Td>{formatAgo(t.createdAt)}</Table.Td>
                  <Table.Td>{t.pendingReason ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {pending.data?.items.length === 0 && <Text size="sm" c="dimmed">Nothing waits.</Text>}
        </Card>
        <Card withBorder>
          <Title order={4}>Latest errors</Title>
          <ErrorAlert error={errors.error} />
          <Table aria-label="Latest errors">
            <Table.Tbody>
              {errors.data?.items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td><Anchor component={Link} to={`/tasks/${t.id}`}>{t.id.slice(-8)}</Anchor></Table.Td>
                  <Table.Td>{formatAgo(t.finishedAt)}</Table.Td>
                  <Table.Td><FoldedText text={t.error ?? `exit ${t.exitCode ?? '?'}`} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {errors.data?.items.length === 0 && <Text size="sm" c="dimmed">No errors.</Text>}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
