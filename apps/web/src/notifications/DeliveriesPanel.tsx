import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { DeliveryStatus } from '../api/notify-types';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatAgo } from '../shared/format';
import { useChannels, useDeliveries, useRetryDelivery, useRules } from './use-notifications';

const COLOR: Record<DeliveryStatus, string> = { pending: 'yellow', sending: 'blue', sent: 'green', failed: 'red' };

/** The deliveries history, newest first, with filters; `spiderId` fixes it to one spider's alerts. */
export function DeliveriesPanel({ spiderId, limit = 100, filters = true }: { spiderId?: string; limit?: number; filters?: boolean }) {
  const [ruleId, setRuleId] = useState<string | null>(null);
  const [channelId, setChannelId] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const deliveries = useDeliveries({ ruleId: ruleId ?? undefined, channelId: channelId ?? undefined, status: status ?? undefined, spiderId, limit });
  const channels = useChannels();
  const rules = useRules();
  const retry = useRetryDelivery();
  const channelName = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
  return (
    <Stack>
      {filters && (
        <Group>
          <Select label="Rule" clearable placeholder="any" data={(rules.data ?? []).map((r) => ({ value: r.id, label: r.name }))} value={ruleId} onChange={setRuleId} />
          <Select label="Channel" clearable placeholder="any" data={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={channelId} onChange={setChannelId} />
          <Select label="Status" clearable placeholder="any" data={['pending', 'sent', 'failed']} value={status} onChange={setStatus} />
        </Group>
      )}
      <ErrorAlert error={deliveries.error ?? retry.error} />
      <Table striped aria-label="Deliveries">
        <Table.Thead>
          <Table.Tr><Table.Th>When</Table.Th><Table.Th>Event</Table.Th><Table.Th>Channel</Table.Th><Table.Th>Status</Table.Th><Table.Th>Attempts</Table.Th><Table.Th>Response</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(deliveries.data ?? []).map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{formatAgo(d.createdAt)}</Table.Td>
              <Table.Td>
                <Text size="sm">{d.summary}</Text>
                {d.spiderId && !spiderId && <Anchor size="xs" component={Link} to={`/spiders/${d.spiderId}`}>spider</Anchor>}
              </Table.Td>
              <Table.Td>{channelName.get(d.channelId) ?? d.channelType}</Table.Td>
              <Table.Td><Badge color={COLOR[d.status]} variant="light">{d.status}</Badge></Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td><Text size="xs">{d.responseCode ?? ''} {d.lastError ?? ''}{d.latencyMs !== null ? ` · ${d.latencyMs} ms` : ''}</Text></Table.Td>
              <Table.Td>
                {d.eventType !== 'test' && (d.status === 'failed' || d.status === 'sent') && (
                  <Button size="xs" variant="default" aria-label={`Retry delivery ${d.id}`} onClick={() => retry.mutate(d.id)}>Retry</Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {deliveries.data?.length === 0 && <Text c="dimmed">No deliveries.</Text>}
    </Stack>
  );
}
