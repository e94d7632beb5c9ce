import { Alert, Badge, Button, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ChannelType, TestOutcome } from '../api/notify-types';
import { useCurrentProject, useMe } from '../access/use-access';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useChannels, useCreateChannel, useDeleteChannel, useTestChannel } from './use-notifications';

function ChannelForm({ onClose }: { onClose: () => void }) {
  const create = useCreateChannel();
  const project = useCurrentProject();
  const me = useMe();
  const [name, setName] = useState('');
  const [type, setType] = useState<ChannelType>('webhook');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [to, setTo] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('587');
  const [from, setFrom] = useState('');
  // A member's channel goes in the project chosen in the header (or their only one); admins without a project make a global one.
  const projectId = project || (me.data?.role === 'admin' ? null : undefined);
  const submit = () => {
    const config: Record<string, unknown> = type === 'email' ? { host, port: Number(port), from, to: to.split(',').map((s) => s.trim()).filter(Boolean) } : { url };
    const secrets = type === 'webhook' && secret ? { secret } : type === 'email' && secret ? { password: secret } : undefined;
    create.mutate({ name, type, projectId, config, secrets }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title="New channel">
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <Select label="Type" data={[{ value: 'webhook', label: 'Webhook (signed JSON)' }, { value: 'slack', label: 'Slack-style chat webhook' }, { value: 'email', label: 'Email (SMTP)' }]} value={type} onChange={(v) => setType((v as ChannelType) ?? 'webhook')} allowDeselect={false} />
        {type !== 'email' && <TextInput label="URL" value={url} onChange={(e) => setUrl(e.currentTarget.value)} required />}
        {type === 'email' && (
          <>
            <TextInput label="SMTP host" value={host} onChange={(e) => setHost(e.currentTarget.value)} />
            <TextInput label="SMTP port" value={port} onChange={(e) => setPort(e.currentTarget.value)} />
            <TextInput label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
            <TextInput label="To (comma-separated)" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          </>
        )}
        {type !== 'slack' && <PasswordInput label={type === 'email' ? 'SMTP password' : 'Signing secret'} description="Stored encrypted; never shown again" value={secret} onChange={(e) => setSecret(e.currentTarget.value)} />}
        <Text size="xs" c="dimmed">{projectId ? 'In the project chosen in the header' : projectId === null ? 'Global (admins only)' : 'In your only project'}</Text>
        <ErrorAlert error={create.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={submit} loading={create.isPending} disabled={!name}>Create channel</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Outcome({ o }: { o: TestOutcome }) {
  return (
    <Alert color={o.ok ? 'green' : 'red'} title={o.ok ? 'Test message delivered' : 'Test message failed'}>
      {o.ok ? `Answered ${o.responseCode ?? 'OK'} in ${o.latencyMs} ms` : `${o.error ?? 'failed'}${o.responseCode ? ` (HTTP ${o.responseCode})` : ''}`}
    </Alert>
  );
}

export function ChannelsPanel() {
  const channels = useChannels();
  const del = useDeleteChannel();
  const test = useTestChannel();
  const [creating, setCreating] = useState(false);
  const [outcome, setOutcome] = useState<{ id: string; o: TestOutcome } | null>(null);
  return (
    <Stack>
      <Group><Button onClick={() => setCreating(true)}>New channel</Button></Group>
      <ErrorAlert error={channels.error ?? del.error ?? test.error} />
      {outcome && <Outcome o={outcome.o} />}
      <Table striped aria-label="Channels">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Type</Table.Th><Table.Th>Target</Table.Th><Table.Th>Scope</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(channels.data ?? []).map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td><Badge variant="light">{c.type}</Badge>{c.hasSecret && <Badge ml={4} variant="outline" color="gray">signed</Badge>}</Table.Td>
              <Table.Td><Text size="xs">{String(c.config.url ?? (Array.isArray(c.config.to) ? c.config.to.join(', ') : ''))}</Text></Table.Td>
              <Table.Td>{c.projectId ? 'project' : 'global'}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" variant="default" aria-label={`Test channel ${c.name}`} loading={test.isPending && test.variables === c.id} onClick={() => test.mutate(c.id, { onSuccess: (o) => setOutcome({ id: c.id, o }) })}>Test</Button>
                  <ConfirmButton size="xs" color="red" variant="light" aria-label={`Delete channel ${c.name}`} question={`Delete channel ${c.name}?`} onConfirm={() => del.mutate(c.id)}>Delete</ConfirmButton>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {channels.data?.length === 0 && <Text c="dimmed">No channels yet.</Text>}
      {creating && <ChannelForm onClose={() => setCreating(false)} />}
    </Stack>
  );
}
