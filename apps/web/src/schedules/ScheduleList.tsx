import { Anchor, Button, Group, Stack, Switch, Table, Text } from '@mantine/core';
import { ConfirmButton } from '../shared/ConfirmButton';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { Schedule } from '../api/types';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo, formatTime } from '../shared/format';
import { useSpiders } from '../spiders/use-spiders';
import { cronPreview } from './cron-preview';
import { ScheduleForm } from './ScheduleForm';
import { useDeleteSchedule, useSchedules, useToggleSchedule } from './use-schedules';

function inWords(s: Schedule): string {
  const p = cronPreview(s.cron, { count: 1, tz: s.timezone || 'UTC' });
  return 'error' in p ? p.error : p.words;
}

export function ScheduleList({ spiderId }: { spiderId?: string }) {
  const schedules = useSchedules();
  const spiders = useSpiders();
  const toggle = useToggleSchedule();
  const del = useDeleteSchedule();
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const name = useMemo(() => new Map((spiders.data ?? []).map((s) => [s.id, s.name])), [spiders.data]);
  const shown = (schedules.data ?? []).filter((s) => !spiderId || s.spiderId === spiderId);
  return (
    <Stack>
      <Group><Button onClick={() => setEditing('new')}>New schedule</Button></Group>
      <ErrorAlert error={schedules.error ?? toggle.error ?? del.error} />
      <Table striped aria-label="Schedules">
        <Table.Thead>
          <Table.Tr><Table.Th>Spider</Table.Th><Table.Th>Cron</Table.Th><Table.Th>In words</Table.Th><Table.Th>Next runs</Table.Th><Table.Th>Last run</Table.Th><Table.Th>Enabled</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((s) => {
            const label = `${name.get(s.spiderId) ?? s.spiderId.slice(-8)} ${s.cron}`;
            const next = s.nextRunTimes ?? (s.nextRunAt ? [s.nextRunAt] : []);
            return (
              <Table.Tr key={s.id}>
                <Table.Td><Anchor component={Link} to={`/spiders/${s.spiderId}`}>{name.get(s.spiderId) ?? s.spiderId.slice(-8)}</Anchor></Table.Td>
                <Table.Td><code>{s.cron}</code>{s.timezone ? ` ${s.timezone}` : ''}</Table.Td>
                <Table.Td>{inWords(s)}</Table.Td>
                <Table.Td><Text size="xs">{s.enabled ? next.slice(0, 5).map(formatTime).join(' · ') || '—' : 'disabled'}</Text></Table.Td>
                <Table.Td>{formatAgo(s.lastRunAt)}</Table.Td>
                <Table.Td><Switch aria-label={`Enable schedule ${label}`} checked={s.enabled} onChange={(e) => toggle.mutate({ id: s.id, enabled: e.currentTarget.checked })} /></Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="default" aria-label={`Edit schedule ${label}`} onClick={() => setEditing(s)}>Edit</Button>
                    <Anchor size="xs" component={Link} to={`/tasks?spiderId=${s.spiderId}`}>Tasks</Anchor>
                    <ConfirmButton size="xs" color="red" variant="light" aria-label={`Delete schedule ${label}`} question={`Delete schedule ${label}?`} onConfirm={() => del.mutate(s.id)}>Delete</ConfirmButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {editing && <ScheduleForm schedule={editing === 'new' ? null : editing} spiderId={spiderId} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
