import { Badge, Button, Group, Modal, MultiSelect, NumberInput, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { EVENT_TYPES, type Rule, type RuleEvent } from '../api/notify-types';
import { useCurrentProject, useMe } from '../access/use-access';
import { ConfirmButton } from '../shared/ConfirmButton';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useSpiders } from '../spiders/use-spiders';
import { useChannels, useDeleteRule, useRules, useSaveRule } from './use-notifications';

/** A condition the form asks for an event that needs one (defaults a user can change later through the API or CLI). */
function withCondition(type: RuleEvent['type'], threshold: number): RuleEvent {
  if (type === 'task.results_below') return { type, min: threshold };
  if (type === 'task.log_errors_above') return { type, count: threshold };
  if (type === 'task.running_longer' || type === 'task.pending_longer') return { type, seconds: threshold };
  return { type };
}

export function RuleForm({ rule, spiderId, onClose }: { rule: Rule | null; spiderId?: string; onClose: () => void }) {
  const save = useSaveRule();
  const channels = useChannels();
  const spiders = useSpiders();
  const project = useCurrentProject();
  const me = useMe();
  const [name, setName] = useState(rule?.name ?? '');
  const [events, setEvents] = useState<string[]>(rule?.events.map((e) => e.type) ?? ['task.error']);
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channelIds ?? []);
  const [spiderIds, setSpiderIds] = useState<string[]>(rule?.spiderIds ?? (spiderId ? [spiderId] : []));
  const [threshold, setThreshold] = useState<number>(10);
  const [windowSeconds, setWindowSeconds] = useState<number>(rule?.throttle?.windowSeconds ?? 0);
  const submit = () => {
    // Conditions kept as they are; fields the list answers as null are left out (the API wants them absent).
    const kept = new Map<string, RuleEvent>((rule?.events ?? []).map((e) => [e.type, Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null && v !== undefined)) as RuleEvent]));
    const input = {
      name,
      events: events.map((t) => kept.get(t) ?? withCondition(t as RuleEvent['type'], threshold)),
      channelIds,
      spiderIds,
      throttle: windowSeconds > 0 ? { windowSeconds } : null,
      ...(rule ? {} : { projectId: project || (me.data?.role === 'admin' ? null : undefined) }),
    };
    save.mutate({ id: rule?.id ?? null, input }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={rule ? `Edit rule ${rule.name}` : 'New rule'}>
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <MultiSelect label="Events" data={[...EVENT_TYPES]} value={events} onChange={setEvents} searchable />
        <NumberInput label="Threshold (items, error lines or seconds, for events with a condition)" value={threshold} onChange={(v) => setThreshold(Number(v) || 0)} min={0} />
        <MultiSelect label="Channels" data={(channels.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.type})` }))} value={channelIds} onChange={setChannelIds} />
        <MultiSelect label="Spiders (none: every spider of the project)" data={(spiders.data ?? []).map((s) => ({ value: s.id, label: s.name }))} value={spiderIds} onChange={setSpiderIds} searchable />
        <NumberInput label="Throttle window, seconds (0: every event alone)" value={windowSeconds} onChange={(v) => setWindowSeconds(Number(v) || 0)} min={0} />
        <ErrorAlert error={save.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={submit} loading={save.isPending} disabled={!name || events.length === 0 || channelIds.length === 0}>{rule ? 'Save rule' : 'Create rule'}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function RulesPanel({ spiderId }: { spiderId?: string }) {
  const rules = useRules(spiderId);
  const channels = useChannels();
  const save = useSaveRule();
  const del = useDeleteRule();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const channelName = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
  return (
    <Stack>
      <Group><Button onClick={() => setEditing('new')}>New rule</Button></Group>
      <ErrorAlert error={rules.error ?? save.error ?? del.error} />
      <Table striped aria-label="Rules">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Events</Table.Th><Table.Th>Channels</Table.Th><Table.Th>Spiders</Table.Th><Table.Th>Throttle</Table.Th><Table.Th>Enabled</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(rules.data ?? []).map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{r.name}</Table.Td>
              <Table.Td>{r.events.map((e) => <Badge key={e.type} variant="light" mr={4}>{e.type}</Badge>)}</Table.Td>
              <Table.Td><Text size="xs">{r.channelIds.map((id) => channelName.get(id) ?? id.slice(-8)).join(', ')}</Text></Table.Td>
              <Table.Td>{r.spiderIds.length ? r.spiderIds.length : 'all'}</Table.Td>
              <Table.Td>{r.throttle ? `${r.throttle.windowSeconds} s` : '—'}</Table.Td>
              <Table.Td><Switch aria-label={`Enable rule ${r.name}`} checked={r.enabled} onChange={(e) => save.mutate({ id: r.id, input: { enabled: e.currentTarget.checked } })} /></Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" variant="default" aria-label={`Edit rule ${r.name}`} onClick={() => setEditing(r)}>Edit</Button>
                  <ConfirmButton size="xs" color="red" variant="light" aria-label={`Delete rule ${r.name}`} question={`Delete rule ${r.name}?`} onConfirm={() => del.mutate(r.id)}>Delete</ConfirmButton>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {rules.data?.length === 0 && <Text c="dimmed">No rules{spiderId ? ' cover this spider' : ''} yet.</Text>}
      {editing && <RuleForm rule={editing === 'new' ? null : editing} spiderId={spiderId} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
