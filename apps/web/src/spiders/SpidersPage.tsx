import { Anchor, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Spider } from '../api/types';
import { StatusBadge } from '../shared/StatusBadge';
import { RunDialog } from './RunDialog';
import { spiderGlance } from './spider-glance';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo, formatBytes, taskDuration } from '../shared/format';
import { SpiderForm } from './SpiderForm';
import { useSpiders } from './use-spiders';
import { useCurrentProject } from '../access/use-access';

/** How many of the newest tasks the last-run column looks at. */
const RECENT = 100;

export default function SpidersPage() {
  const spiders = useSpiders();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [running, setRunning] = useState<Spider | null>(null);
  // One page of the newest tasks (what the task list reads), not a query per spider.
  const recent = useQuery({ queryKey: ['tasks', { page: 1, size: RECENT }], queryFn: () => api.tasks({ page: 1, size: RECENT }), refetchInterval: 10_000 });
  const schedules = useQuery({ queryKey: ['schedules'], queryFn: api.schedules, refetchInterval: 10_000 });
  const glance = spiderGlance(recent.data?.items ?? [], schedules.data ?? []);
  const navigate = useNavigate();
  const q = search.trim().toLowerCase();
  const project = useCurrentProject();
  const shown = (spiders.data ?? []).filter((s) => !project || s.projectId === project).filter((s) => !q || s.name.toLowerCase().includes(q) || s.cmd.toLowerCase().includes(q) || s.description.toLowerCase().includes(q));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Spiders</Title>
        <Button onClick={() => setCreating(true)}>New spider</Button>
      </Group>
      <TextInput label="Search spiders" placeholder="name, command or description" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={360} />
      <ErrorAlert error={spiders.error} />
      <Table striped aria-label="Spiders">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Command</Table.Th><Table.Th>Version</Table.Th><Table.Th>Files</Table.Th><Table.Th>Results</Table.Th><Table.Th>Last run</Table.Th><Table.Th>Next run</Table.Th><Table.Th>Updated</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td><Anchor component={Link} to={`/spiders/${s.id}`}>{s.name}</Anchor></Table.Td>
              <Table.Td><code>{s.cmd}</code></Table.Td>
              <Table.Td>{s.version}</Table.Td>
              <Table.Td>{s.fileCount} · {formatBytes(s.totalBytes)}</Table.Td>
              <Table.Td>{s.resultCount ?? '—'}</Table.Td>
              <Table.Td>
                {(() => {
                  const t = glance.last.get(s.id);
                  if (!t) return <Text size="xs" c="dimmed" title={`no task among the newest ${RECENT}`}>—</Text>;
                  return (
                    <Group gap={6} wrap="nowrap" aria-label={`Last run of ${s.name}`}>
                      <Anchor component={Link} to={`/tasks/${t.id}`}><StatusBadge status={t.status} /></Anchor>
                      <Text size="xs" style={{ whiteSpace: 'nowrap' }}>{formatAgo(t.createdAt)} · {taskDuration(t)}{t.resultCount !== undefined ? ` · ${t.resultCount} items` : ''}</Text>
                    </Group>
                  );
                })()}
              </Table.Td>
              <Table.Td><Text size="xs" style={{ whiteSpace: 'nowrap' }}>{glance.next.has(s.id) ? formatAgo(glance.next.get(s.id)) : '—'}</Text></Table.Td>
              <Table.Td>{formatAgo(s.updatedAt)}</Table.Td>
              <Table.Td><Button size="xs" variant="light" aria-label={`Run ${s.name}`} onClick={() => setRunning(s)}>Run</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {running && <RunDialog spider={running} onClose={() => setRunning(null)} />}
      {creating && <SpiderForm spider={null} onClose={() => setCreating(false)} onSaved={(s) => navigate(`/spiders/${s.id}`)} />}
    </Stack>
  );
}
