import { Anchor, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo, formatBytes } from '../shared/format';
import { SpiderForm } from './SpiderForm';
import { useSpiders } from './use-spiders';
import { useCurrentProject } from '../access/use-access';

export default function SpidersPage() {
  const spiders = useSpiders();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
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
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Command</Table.Th><Table.Th>Version</Table.Th><Table.Th>Files</Table.Th><Table.Th>Results</Table.Th><Table.Th>Updated</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td><Anchor component={Link} to={`/spiders/${s.id}`}>{s.name}</Anchor></Table.Td>
              <Table.Td><code>{s.cmd}</code></Table.Td>
              <Table.Td>{s.version}</Table.Td>
              <Table.Td>{s.fileCount} · {formatBytes(s.totalBytes)}</Table.Td>
              <Table.Td>{s.resultCount ?? '—'}</Table.Td>
              <Table.Td>{formatAgo(s.updatedAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {creating && <SpiderForm spider={null} onClose={() => setCreating(false)} onSaved={(s) => navigate(`/spiders/${s.id}`)} />}
    </Stack>
  );
}
