import { Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useAudit, useCurrentProject, useMe } from './use-access';

/** Admins read the whole log; a project's owners read theirs (the switcher's project). */
export default function AuditPage() {
  const me = useMe();
  const project = useCurrentProject();
  const [action, setAction] = useState('');
  const isAdmin = me.data?.role === 'admin';
  const ownsCurrent = me.data?.projects.some((p) => p.id === project && p.role === 'owner');
  const audit = useAudit({ projectId: project || undefined, action: action || undefined });
  if (me.data && !isAdmin && !ownsCurrent) {
    return (
      <Stack>
        <Title order={2}>Audit log</Title>
        <Text size="sm" c="dimmed">Needs the admin role, or the owner role in the project chosen in the header.</Text>
      </Stack>
    );
  }
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <TextInput label="Action" placeholder="e.g. tasks.cancel" value={action} onChange={(e) => setAction(e.currentTarget.value)} w={260} />
      <ErrorAlert error={audit.error} />
      <Table striped aria-label="Audit events">
        <Table.Thead>
          <Table.Tr><Table.Th>When</Table.Th><Table.Th>Who</Table.Th><Table.Th>From</Table.Th><Table.Th>Action</Table.Th><Table.Th>Resource</Table.Th><Table.Th>Status</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(audit.data ?? []).map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{e.at}</Table.Td>
              <Table.Td>{e.username ?? '—'} ({e.via})</Table.Td>
              <Table.Td>{e.ip}</Table.Td>
              <Table.Td>{e.action}</Table.Td>
              <Table.Td>{e.resourceId ?? ''}</Table.Td>
              <Table.Td>{e.status}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
