import { Anchor, Button, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { ConfirmButton } from '../shared/ConfirmButton';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ResultsView } from '../results/ResultsView';
import { ScheduleList } from '../schedules/ScheduleList';
import { SpiderAlerts } from '../notifications/SpiderAlerts';
import { ErrorAlert } from '../shared/ErrorAlert';
import { TaskList } from '../tasks/TaskList';
import { FilesPanel } from './FilesPanel';
import { GitSourcePanel } from './GitSourcePanel';
import { RunDialog } from './RunDialog';
import { SpiderForm } from './SpiderForm';
import { UploadPanel } from './UploadPanel';
import { useDeleteSpider, useSpider } from './use-spiders';
import { VersionsPanel } from './VersionsPanel';
import { StatsPanel } from './StatsPanel';
import { deniedReason } from '../access/permissions';
import { useMe } from '../access/use-access';

export default function SpiderPage() {
  const { id = '' } = useParams();
  const spider = useSpider(id);
  const del = useDeleteSpider();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [running, setRunning] = useState(false);
  const s = spider.data;
  const me = useMe();
  const cannotRun = deniedReason(me.data, 'run', s?.projectId);
  const cannotEdit = deniedReason(me.data, 'edit', s?.projectId);
  return (
    <Stack>
      <Anchor component={Link} to="/spiders" size="sm">← Spiders</Anchor>
      <ErrorAlert error={spider.error ?? del.error} />
      {s && (
        <>
          <Group justify="space-between">
            <div>
              <Title order={2}>{s.name}</Title>
              <Text size="sm" c="dimmed"><code>{s.cmd} {s.param}</code> · version {s.version} · results in {s.resultsCollection ?? '—'}{s.dedup ? ` · dedup on ${s.dedup.keys.join(', ')} (${s.dedup.mode})` : ''}</Text>
              {s.dedupBackfill && s.dedupBackfill.status !== 'done' && (
                <Text size="sm" c={s.dedupBackfill.status === 'running' ? 'blue' : 'red'} data-testid="dedup-backfill">
                  dedup backfill {s.dedupBackfill.status}: {s.dedupBackfill.scanned} of {s.dedupBackfill.total} stored items claimed, {s.dedupBackfill.duplicates} duplicates kept{s.dedupBackfill.error ? ` (${s.dedupBackfill.error})` : ''}
                </Text>
              )}
            </div>
            <Group>
              <Button onClick={() => setRunning(true)} disabled={!!cannotRun} title={cannotRun ?? undefined}>Run</Button>
              {cannotRun && <Text size="sm" c="dimmed" role="note">{cannotRun}</Text>}
              <Button variant="default" onClick={() => setEditing(true)} disabled={!!cannotEdit} title={cannotEdit ?? undefined}>Edit</Button>
              <ConfirmButton color="red" variant="light" disabled={!!cannotEdit} question={`Delete spider ${s.name}, its files and versions?`} onConfirm={() => del.mutate(s.id, { onSuccess: () => navigate('/spiders') })}>Delete</ConfirmButton>
            </Group>
          </Group>
          <GitSourcePanel spiderId={s.id} cannotEdit={cannotEdit} />
          <Tabs defaultValue="files" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="files">Files</Tabs.Tab>
              <Tabs.Tab value="versions">Versions</Tabs.Tab>
              <Tabs.Tab value="tasks">Tasks</Tabs.Tab>
              <Tabs.Tab value="schedules">Schedules</Tabs.Tab>
              <Tabs.Tab value="results">Results</Tabs.Tab>
              <Tabs.Tab value="stats">Stats</Tabs.Tab>
              <Tabs.Tab value="alerts">Alerts</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="files" pt="md">
              <Stack>
                <UploadPanel spiderId={s.id} />
                <FilesPanel spiderId={s.id} canEdit={!cannotEdit} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="versions" pt="md"><VersionsPanel spiderId={s.id} current={s.version} /></Tabs.Panel>
            <Tabs.Panel value="tasks" pt="md"><TaskList fixedSpiderId={s.id} /></Tabs.Panel>
            <Tabs.Panel value="schedules" pt="md"><ScheduleList spiderId={s.id} /></Tabs.Panel>
            <Tabs.Panel value="results" pt="md"><ResultsView spiderId={s.id} /></Tabs.Panel>
            <Tabs.Panel value="stats" pt="md"><StatsPanel spiderId={s.id} /></Tabs.Panel>
            <Tabs.Panel value="alerts" pt="md"><SpiderAlerts spiderId={s.id} /></Tabs.Panel>
          </Tabs>
          {editing && <SpiderForm spider={s} onClose={() => setEditing(false)} />}
          {running && <RunDialog spider={s} onClose={() => setRunning(false)} />}
        </>
      )}
    </Stack>
  );
}
