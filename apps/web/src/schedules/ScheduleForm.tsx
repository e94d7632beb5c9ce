import { Button, Group, Modal, Select, Stack, Switch, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Schedule, ScheduleInput } from '../api/types';
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
  return (
    <Modal opened onClose={onClose} title={schedule ? 'Edit schedule' : 'New schedule'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const input: ScheduleInput = { spiderId: spider ?? '', cron, param, enabled };
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
          <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>{schedule ? 'Save schedule' : 'Create schedule'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
