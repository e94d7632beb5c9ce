import { Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { statsApi } from '../api/stats-client';
import { ErrorAlert } from '../shared/ErrorAlert';
import { DailyRunsChart } from './DailyRunsChart';

const seconds = (ms: number | null) => (ms === null ? '—' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/** A spider's runs per day by status, average duration, and items per recent run. */
export function StatsPanel({ spiderId }: { spiderId: string }) {
  const [range, setRange] = useState('7');
  const stats = useQuery({
    queryKey: ['spiders', spiderId, 'stats', range],
    queryFn: () => statsApi.spiderStats(spiderId, range === '30' ? 30 : 7),
    refetchInterval: 15_000,
  });
  const recent = useQuery({ queryKey: ['tasks', { spiderId, page: 1, size: 20 }], queryFn: () => api.tasks({ spiderId, page: 1, size: 20 }), refetchInterval: 15_000 });
  const days = stats.data?.days ?? [];
  const runs = days.reduce((n, d) => n + d.runs, 0);
  const failed = days.reduce((n, d) => n + (d.byStatus.error ?? 0) + (d.byStatus.abnormal ?? 0), 0);
  const timed = days.reduce((n, d) => n + d.timedRuns, 0);
  const avg = timed ? days.reduce((n, d) => n + (d.avgDurationMs ?? 0) * d.timedRuns, 0) / timed : null;
  const ended = (recent.data?.items ?? []).filter((t) => ['finished', 'error', 'cancelled', 'abnormal'].includes(t.status));
  const items = ended.map((t) => t.resultCount ?? 0);
  const itemsAvg = items.length ? items.reduce((a, b) => a + b, 0) / items.length : null;
  return (
    <Stack>
      <ErrorAlert error={stats.error ?? recent.error} />
      <Group justify="space-between">
        <Title order={4}>Runs per day</Title>
        <SegmentedControl size="xs" value={range} onChange={setRange} data={[{ value: '7', label: '7 days' }, { value: '30', label: '30 days' }]} aria-label="Range" />
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Card withBorder aria-label={`Runs, last ${range} days`}><Text size="sm" c="dimmed">Runs</Text><Text size="xl" fw={700}>{stats.data ? runs : '…'}</Text></Card>
        <Card withBorder aria-label={`Failed, last ${range} days`}><Text size="sm" c="dimmed">Failed</Text><Text size="xl" fw={700}>{stats.data ? failed : '…'}</Text></Card>
        <Card withBorder aria-label={`Average duration, last ${range} days`}><Text size="sm" c="dimmed">Average duration</Text><Text size="xl" fw={700}>{stats.data ? seconds(avg) : '…'}</Text></Card>
        <Card withBorder aria-label="Items per run, last 20 runs"><Text size="sm" c="dimmed">Items per run (last {items.length})</Text><Text size="xl" fw={700}>{itemsAvg === null ? '—' : Math.round(itemsAvg).toLocaleString()}</Text></Card>
      </SimpleGrid>
      {stats.data && <DailyRunsChart days={days} />}
      <Table aria-label="Days" verticalSpacing={2} striped>
        <Table.Thead><Table.Tr><Table.Th>Day (UTC)</Table.Th><Table.Th>Runs</Table.Th><Table.Th>Finished</Table.Th><Table.Th>Failed</Table.Th><Table.Th>Cancelled</Table.Th><Table.Th>Average duration</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {[...days].reverse().filter((d) => d.runs > 0).map((d) => (
            <Table.Tr key={d.day}>
              <Table.Td>{d.day}</Table.Td>
              <Table.Td>{d.runs}</Table.Td>
              <Table.Td>{d.byStatus.finished ?? 0}</Table.Td>
              <Table.Td>{(d.byStatus.error ?? 0) + (d.byStatus.abnormal ?? 0)}</Table.Td>
              <Table.Td>{d.byStatus.cancelled ?? 0}</Table.Td>
              <Table.Td>{seconds(d.avgDurationMs)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {stats.data && runs === 0 && <Text c="dimmed" size="sm">No run ended in the last {range} days.</Text>}
      <Title order={4}>Items per run, last {items.length} runs</Title>
      <svg viewBox="0 0 720 90" width="100%" height={90} preserveAspectRatio="none" role="img" aria-label="Items per run">
        {(() => {
          const max = Math.max(1, ...items);
          const list = [...items].reverse();
          const bw = 700 / Math.max(1, list.length);
          return list.map((n, i) => (
            <rect key={i} x={10 + i * bw + bw * 0.15} width={bw * 0.7} y={80 - (n / max) * 70} height={(n / max) * 70} fill="var(--mantine-color-blue-5)"><title>{`${n} items`}</title></rect>
          ));
        })()}
        <line x1={10} x2={710} y1={80} y2={80} stroke="var(--mantine-color-gray-4)" />
      </svg>
    </Stack>
  );
}
