import { Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { Project, ProjectRole } from '../api/access-types';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorAlert } from '../shared/ErrorAlert';
import { deniedReason } from './permissions';
import { useCreateProject, useMe, useProjects, useRemoveMember, useSetMember, useUsers } from './use-access';

const ROLES: ProjectRole[] = ['viewer', 'runner', 'editor', 'owner'];

function Members({ project }: { project: Project }) {
  const me = useMe();
  const users = useUsers();
  const setMember = useSetMember();
  const remove = useRemoveMember();
  const [userId, setUserId] = useState<string | null>(null);
  const [role, setRole] = useState<ProjectRole>('viewer');
  const denied = deniedReason(me.data, 'manage', project.id);
  return (
    <Card withBorder aria-label={`Project ${project.name}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>{project.name}</Title>
          <Text size="sm" c="dimmed">your role: {project.role ?? 'admin'}</Text>
        </Group>
        <Table aria-label={`Members of ${project.name}`}>
          <Table.Tbody>
            {project.members.map((m) => (
              <Table.Tr key={m.userId}>
                <Table.Td>{m.username}</Table.Td>
                <Table.Td>{m.role}</Table.Td>
                <Table.Td>
                  {!denied && <ConfirmButton size="xs" variant="subtle" color="red" aria-label={`Remove ${m.username} from ${project.name}`} confirmLabel="Remove" question={`Remove ${m.username} from project ${project.name}?`} onConfirm={() => remove.mutate({ projectId: project.id, userId: m.userId })}>Remove</ConfirmButton>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {denied ? (
          <Text size="sm" c="dimmed">Members: {denied}.</Text>
        ) : (
          <Group align="end">
            <Select label="User" searchable data={(users.data ?? []).map((u) => ({ value: u.id, label: u.username }))} value={userId} onChange={setUserId} w={200} />
            <Select label="Role" data={ROLES} value={role} onChange={(v) => setRole((v as ProjectRole) ?? 'viewer')} allowDeselect={false} w={120} />
            <Button disabled={!userId} onClick={() => userId && setMember.mutate({ projectId: project.id, userId, role })}>Set member</Button>
          </Group>
        )}
        <ErrorAlert error={setMember.error ?? remove.error} />
      </Stack>
    </Card>
  );
}

export default function ProjectsPage() {
  const projects = useProjects();
  const me = useMe();
  const create = useCreateProject();
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name, { onSuccess: () => setName('') });
  };
  return (
    <Stack>
      <Title order={2}>Projects</Title>
      {me.data?.role === 'admin' ? (
        <form onSubmit={submit} aria-label="New project">
          <Group align="end">
            <TextInput label="Project name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
            <Button type="submit" loading={create.isPending}>Create project</Button>
          </Group>
        </form>
      ) : (
        <Text size="sm" c="dimmed">Only admins create projects.</Text>
      )}
      <ErrorAlert error={create.error ?? projects.error} />
      {(projects.data ?? []).map((p) => <Members key={p.id} project={p} />)}
    </Stack>
  );
}
