import { Button, Group, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useCreateUser, useMe, usePatchUser, useUsers } from './use-access';

const ADMIN_ONLY = 'Only admins create, disable or change users';

export default function UsersPage() {
  const users = useUsers();
  const me = useMe();
  const isAdmin = me.data?.role === 'admin';
  const create = useCreateUser();
  const patch = usePatchUser();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'admin' | 'member'>('member');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ username, password, role }, { onSuccess: () => { setUsername(''); setPassword(''); } });
  };
  return (
    <Stack>
      <Title order={2}>Users</Title>
      {isAdmin ? (
        <form onSubmit={submit} aria-label="New user">
          <Group align="end">
            <TextInput label="Username" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required />
            <PasswordInput label="Password" description="12 characters or more" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
            <Select label="Role" data={['member', 'admin']} value={role} onChange={(v) => setRole((v as 'admin' | 'member') ?? 'member')} allowDeselect={false} w={120} />
            <Button type="submit" loading={create.isPending}>Create user</Button>
          </Group>
        </form>
      ) : (
        <Text size="sm" c="dimmed">{ADMIN_ONLY}.</Text>
      )}
      <ErrorAlert error={create.error ?? patch.error ?? users.error} />
      <Table striped aria-label="Users">
        <Table.Thead>
          <Table.Tr><Table.Th>Username</Table.Th><Table.Th>Role</Table.Th><Table.Th>Projects</Table.Th><Table.Th>Enabled</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data ?? []).map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{u.username}</Table.Td>
              <Table.Td>{u.role}</Table.Td>
              <Table.Td>{u.projects.length}</Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`${u.username} enabled`}
                  checked={!u.disabled}
                  disabled={!isAdmin || u.id === me.data?.id}
                  title={!isAdmin ? ADMIN_ONLY : u.id === me.data?.id ? 'You cannot disable yourself' : undefined}
                  onChange={(e) => patch.mutate({ id: u.id, disabled: !e.currentTarget.checked })}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
