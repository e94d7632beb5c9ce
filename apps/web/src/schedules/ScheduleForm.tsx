import { Button, Group, Modal, MultiSelect, NumberInput, Select, Stack, Switch, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Schedule, ScheduleInput, TaskMode } from '../api/types';
import { useNodes } from '../nodes/use-nodes';
import { formatPairs, parsePairs } from '../shared/format';
import { cronPreview } from './cron-preview';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useSpiders } from '../spiders/use-spiders';
import { CronHint } from './CronHint';
import { useSaveSchedule } from './use-schedules';

export function ScheduleForm({ schedule, spiderId, onClose }: { schedule: Schedule | null; spiderId?: string; onClose: () => void }) {
  const save = useSaveSchedule(schedule?.id ?? null);
  const spiders = useSpiders();
  const [spider, setSpider] = useState<string | null>(schedule?.spiderId ?? spiderId ?? null);
  const [cron, setCron] = useState(schedule?.cron ?? '*/5 * * * *');
  const [param, setParam] = useState(schedule?.param ?? '');
  const [timezone, setTimezone] = useState(schedule?.timezone ?? '');
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [mode, setMode] = useState<TaskMode>(schedule?.mode ?? 'random');
  const [nodeIds, setNodeIds] = useState<string[]>(schedule?.nodeIds ?? []);
  const [labels, setLabels] = useState(formatPairs(schedule?.labels));
  const [priority, setPriority] = useState(schedule?.priority ?? 5);
  const nodes = useNodes();
  const l = parsePairs(labels);
  const cronError = 'error' in cronPreview(cron, { tz: timezone.trim() || 'UTC' });
  return (
    <Modal opened onClose={onClose} title={schedule ? 'Edit schedule' : 'New schedule'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const input: ScheduleInput = { spiderId: spider ?? '', cron, param, enabled, mode, nodeIds: mode === 'selected-nodes' ? nodeIds : [], labels: l.value, priority };
          // Only sent when chosen: a master without timezones would refuse the unknown field.
          if (timezone.trim()) input.timezone = timezone.trim();
          if (schedule) delete (input as Partial<ScheduleInput>).spiderId;
          save.mutate(input, { onSuccess: onClose });
        }}
      >
        <Stack>
          <Select label="Spider" data={(spiders.data ?? []).map((s) => ({ value: s.id, label: s.name }))} value={spider} onChange={setSpider} disabled={!!schedule} searchable required />
          <TextInput label="Cron expression" description="5 fields, or 6 with seconds first" value={cron} onChange={(e) => setCron(e.currentTarget.value)} required />
          <CronHint cron={cron} timezone={timezone} />
          <TextInput label="Timezone" placeholder="UTC" value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)} />
          <TextInput label="Parameters" value={param} onChange={(e) => setParam(e.currentTarget.value)} />
          <Group grow align="flex-start">
            <Select label="Mode" data={['random', 'all-nodes', 'selected-nodes']} value={mode} onChange={(v) => setMode((v as TaskMode) ?? 'random')} allowDeselect={false} />
            <NumberInput label="Priority" min={1} max={10} value={priority} onChange={(v) => setPriority(Number(v))} />
          </Group>
          {mode === 'selected-nodes' && (
            <MultiSelect label="Nodes" data={(nodes.data ?? []).map((n) => ({ value: n.id, label: `${n.name} (${n.status})` }))} value={nodeIds} onChange={setNodeIds} />
          )}
          <TextInput label="Labels" description="key=value, comma separated: only nodes with these labels" value={labels} onChange={(e) => setLabels(e.currentTarget.value)} error={l.error} />
          <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending} disabled={cronError || !!l.error || (mode === 'selected-nodes' && nodeIds.length === 0)}>{schedule ? 'Save schedule' : 'Create schedule'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
