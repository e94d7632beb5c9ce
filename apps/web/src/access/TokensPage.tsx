import { Alert, Button, Code, Group, NumberInput, Stack, Table, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo } from '../shared/format';
import { useCreateToken, useRevokeToken, useTokens } from './use-access';

export default function TokensPage() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>('');
  const [shown, setShown] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, expiresInDays: typeof days === 'number' ? days : undefined }, { onSuccess: (t) => { setShown(t.token); setName(''); } });
  };
  return (
    <Stack>
      <Title order={2}>Personal access tokens</Title>
      <form onSubmit={submit} aria-label="New token">
        <Group align="end">
          <TextInput label="Token name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <NumberInput label="Expires in days" placeholder="never" min={1} max={3650} value={days} onChange={setDays} w={140} />
          <Button type="submit" loading={create.isPending}>Create token</Button>
        </Group>
      </form>
      {shown && (
        <Alert title="Copy it now: it is not shown again" withCloseButton onClose={() => setShown(null)}>
          <Code>{shown}</Code>
        </Alert>
      )}
      <ErrorAlert error={create.error ?? revoke.error ?? tokens.error} />
      <Table striped aria-label="Tokens">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Created</Table.Th><Table.Th>Expires</Table.Th><Table.Th>Last used</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(tokens.data ?? []).map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>{t.name}</Table.Td>
              <Table.Td>{formatAgo(t.createdAt)}</Table.Td>
              <Table.Td>{t.expiresAt ?? 'never'}</Table.Td>
              <Table.Td>{t.lastUsedAt ? formatAgo(t.lastUsedAt) : '—'}</Table.Td>
              <Table.Td><ConfirmButton size="xs" color="red" variant="light" aria-label={`Revoke token ${t.name}`} confirmLabel="Revoke" question={`Revoke token ${t.name}? Anything using it is refused from now on.`} onConfirm={() => revoke.mutate(t.id)}>Revoke</ConfirmButton></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
