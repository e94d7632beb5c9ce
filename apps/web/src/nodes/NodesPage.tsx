import { Anchor, Button, Group, Modal, NumberInput, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { ConfirmButton } from '../shared/ConfirmButton';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Node } from '../api/types';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { formatAgo, formatBytes, formatPairs, parsePairs } from '../shared/format';
import { StatusBadge } from '../shared/StatusBadge';
import { useDeleteNode, useNodeEnvironments, useNodes, usePatchNode } from './use-nodes';

function EditNodeDialog({ node, onClose }: { node: Node; onClose: () => void }) {
  const patch = usePatchNode();
  const [labels, setLabels] = useState(formatPairs(node.labels));
  const [maxRunners, setMaxRunners] = useState<number>(node.maxRunners);
  const parsed = parsePairs(labels);
  const envs = useNodeEnvironments(node.id);
  return (
    <Modal opened onClose={onClose} title={`Edit node ${node.name}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          patch.mutate({ id: node.id, patch: { labels: parsed.value, maxRunners } }, { onSuccess: onClose });
        }}
      >
        <Stack>
          <TextInput label="Labels" description="key=value, comma separated" value={labels} onChange={(e) => setLabels(e.currentTarget.value)} error={parsed.error} />
          <NumberInput label="Max runners" min={1} value={maxRunners} onChange={(v) => setMaxRunners(Number(v))} />
          <ErrorAlert error={patch.error} />
          <Title order={5}>Environments</Title>
          {envs.data ? (
            envs.data.length ? (
              envs.data.map((e) => (
                <Text size="sm" key={e.key}>
                  {e.kind} {e.key.slice(0, 12)} · {formatBytes(e.sizeBytes)} · {e.state} · used {formatAgo(e.lastUsedAt)}
                </Text>
              ))
            ) : (
              <Text size="sm" c="dimmed">None built yet.</Text>
            )
          ) : isMissingRoute(envs.error) ? (
            <Text size="sm" c="dimmed">This master has no environments API yet.</Text>
          ) : (
            <ErrorAlert error={envs.error} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={!!parsed.error} loading={patch.isPending}>Save node</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function NodesPage() {
  const nodes = useNodes();
  const patch = usePatchNode();
  const del = useDeleteNode();
  const [editing, setEditing] = useState<Node | null>(null);
  return (
    <Stack>
      <Title order={2}>Nodes</Title>
      <ErrorAlert error={nodes.error ?? patch.error ?? del.error} />
      <Table striped aria-label="Nodes">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th><Table.Th>Status</Table.Th><Table.Th>Task-ready</Table.Th><Table.Th>Running</Table.Th>
            <Table.Th>Labels</Table.Th><Table.Th>CPU</Table.Th><Table.Th>Memory</Table.Th><Table.Th>Disk free</Table.Th>
            <Table.Th>Version</Table.Th><Table.Th>Runtimes</Table.Th><Table.Th>Heartbeat</Table.Th><Table.Th>Enabled</Table.Th><Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {nodes.data?.map((n) => (
            <Table.Tr key={n.id}>
              <Table.Td><Anchor component={Link} to={`/nodes/${n.id}`} aria-label={`Node ${n.name}`}>{n.name}</Anchor><Text size="xs" c="dimmed">{n.hostname} {n.ip}</Text></Table.Td>
              <Table.Td><StatusBadge status={n.status} /></Table.Td>
              <Table.Td>{n.taskReady ? 'yes' : 'no'}</Table.Td>
              {/* An offline node reports nothing: no running count or machine figures (the API gives none). */}
              <Table.Td>{n.status === 'online' ? `${n.runningTasks}/${n.maxRunners}` : `—/${n.maxRunners}`}</Table.Td>
              <Table.Td>{formatPairs(n.labels) || '—'}</Table.Td>
              <Table.Td>{n.resources ? `${n.resources.cpuPercent.toFixed(0)}%` : '—'}</Table.Td>
              <Table.Td>{formatBytes(n.resources?.memoryBytes)}</Table.Td>
              <Table.Td>{formatBytes(n.resources?.diskFreeBytes)}</Table.Td>
              <Table.Td>{n.version}</Table.Td>
              <Table.Td>{n.runtimes?.map((r) => `${r.name} ${r.version}`).join(', ') || '—'}</Table.Td>
              <Table.Td>{formatAgo(n.lastHeartbeatAt)}</Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`Enable node ${n.name}`}
                  checked={n.enabled}
                  onChange={(e) => patch.mutate({ id: n.id, patch: { enabled: e.currentTarget.checked } })}
                />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" variant="default" onClick={() => setEditing(n)} aria-label={`Edit node ${n.name}`}>Edit</Button>
                  <ConfirmButton size="xs" color="red" variant="light" disabled={n.status !== 'offline'} aria-label={`Delete node ${n.name}`}
                    question={`Delete node ${n.name}?`} onConfirm={() => del.mutate(n.id)}>
                    Delete
                  </ConfirmButton>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {nodes.data?.length === 0 && <Text c="dimmed">No node has registered yet: start a worker with CRAWLNEST_MASTER pointing here.</Text>}
      {editing && <EditNodeDialog node={editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
