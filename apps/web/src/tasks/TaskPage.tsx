import { Alert, Anchor, Button, Card, Group, SimpleGrid, Stack, Tabs, Text, Timeline, Title } from '@mantine/core';
import { ConfirmButton } from '../shared/ConfirmButton';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Task } from '../api/types';
import { TaskResults } from '../results/TaskResults';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatDuration, formatPairs, formatTime, livePrepareMs, taskDuration } from '../shared/format';
import { useNow } from '../shared/use-now';
import { StatusBadge } from '../shared/StatusBadge';
import { useSpider } from '../spiders/use-spiders';
import { LogViewer } from './LogViewer';
import { useTask, useTaskAction } from './use-tasks';
import { deniedReason } from '../access/permissions';
import { useMe } from '../access/use-access';
import { CommitLine } from '../spiders/GitSourcePanel';

const ACTIVE = new Set(['pending', 'assigned', 'running']);

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

function Attempts({ task }: { task: Task }) {
  const past = task.attempts ?? [];
  return (
    <Timeline active={past.length} bulletSize={14} lineWidth={2} aria-label="Attempts">
      {past.map((a) => (
        <Timeline.Item key={a.attempt} title={`Attempt ${a.attempt}: ${a.handedBack ? 'handed back' : a.status}`}>
          <Text size="xs" c="dimmed">{formatTime(a.at)} · node {a.nodeName ?? a.nodeId?.slice(-8) ?? '—'}</Text>
          {a.error && <Text size="sm" c={a.handedBack ? 'dimmed' : 'red'}>{a.error}</Text>}
        </Timeline.Item>
      ))}
      <Timeline.Item title={`Attempt ${task.attempt}: ${task.status}`}>
        <Text size="xs" c="dimmed">created {formatTime(task.createdAt)} · assigned {formatTime(task.assignedAt)} · started {formatTime(task.startedAt)} · finished {formatTime(task.finishedAt)}</Text>
      </Timeline.Item>
    </Timeline>
  );
}

export default function TaskPage() {
  const { id = '' } = useParams();
  const task = useTask(id);
  const cancel = useTaskAction('cancel');
  const restart = useTaskAction('restart');
  const navigate = useNavigate();
  const t = task.data;
  const spider = useSpider(t?.spiderId ?? '', !!t);
  const now = useNow(250, !!t && (t.status === 'assigned' || t.status === 'running'));
  const prepare = t ? livePrepareMs(t, now, task.dataUpdatedAt) : null;
  const me = useMe();
  const cannotRun = deniedReason(me.data, 'run', spider.data?.projectId);
  return (
    <Stack>
      <Anchor component={Link} to="/tasks" size="sm">← Tasks</Anchor>
      <ErrorAlert error={task.error} />
      {t && (
        <>
          <Group justify="space-between">
            <Group>
              <Title order={2}>Task {t.id.slice(-8)}</Title>
              <span aria-label="Task status"><StatusBadge status={t.status} /></span>
            </Group>
            <Group>
              {cannotRun && <Text size="sm" c="dimmed" role="note">{cannotRun}</Text>}
              <ConfirmButton color="red" variant="light" disabled={!ACTIVE.has(t.status) || !!cannotRun} loading={cancel.isPending} question={`Cancel task ${t.id.slice(-8)}? Its process is stopped.`} confirmLabel="Cancel the task" onConfirm={() => cancel.mutate(t.id)}>Cancel task</ConfirmButton>
              <Button variant="default" disabled={!!cannotRun} title={cannotRun ?? undefined} loading={restart.isPending} onClick={() => restart.mutate(t.id, { onSuccess: (r) => navigate(`/tasks/${r.tasks[0].id}`) })}>Restart task</Button>
            </Group>
          </Group>
          <ErrorAlert error={cancel.error ?? restart.error} />
          {t.pendingReason && (
            <Alert color="yellow" title="Why it waits" role="status">{t.pendingReason}</Alert>
          )}
          {t.error && <Alert color="red" title="Error">{t.error}</Alert>}
          <Card withBorder>
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Field label="Spider"><Anchor component={Link} to={`/spiders/${t.spiderId}`}>{spider.data?.name ?? t.spiderId.slice(-8)}</Anchor>{t.spiderVersion ? ` v${t.spiderVersion}` : ''}</Field>
              {t.git && <Field label="Commit"><span aria-label="Task commit"><CommitLine commit={t.git} /></span></Field>}
              <Field label="Command"><code>{t.cmd} {t.param}</code></Field>
              <Field label="Node">{t.nodeId ? <span title={t.nodeId}>{t.nodeName ?? t.nodeId}</span> : '—'}</Field>
              <Field label="Placement">{t.mode}{Object.keys(t.labels).length ? ` · ${formatPairs(t.labels)}` : ''}</Field>
              <Field label="Priority">{t.priority}</Field>
              {/* A hand-back by a stopping worker uses no retry: it adds an attempt. */}
              <Field label="Attempt">{t.attempt} of {t.maxRetries + 1 + (t.attempts ?? []).filter((a) => a.handedBack).length}</Field>
              <Field label="Exit code">{t.exitCode ?? '—'}</Field>
              <Field label="Duration"><span aria-label="Task duration">{taskDuration(t, now, task.dataUpdatedAt)}</span></Field>
              <Field label="Preparation (sync, environment)">
                <span aria-label="Task preparation">{formatDuration(prepare)}</span>
                {t.environment ? ` · environment ${t.environment.cached ? 'cached' : 'built'} in ${formatDuration(t.environment.buildMs)}` : ''}
                {t.sync ? ` · sync ${formatDuration(t.sync.durationMs)}` : ''}
              </Field>
              <Field label="Results">{t.resultCount ?? '—'}{t.resultErrors ? ` · ${t.resultErrors} errors` : ''}{t.resultDuplicates ? ` · ${t.resultDuplicates} duplicates` : ''}</Field>
              {t.scheduleId && <Field label="Schedule">{t.scheduleId.slice(-8)}</Field>}
              {t.parentId && <Field label="Restart of"><Anchor component={Link} to={`/tasks/${t.parentId}`}>{t.parentId.slice(-8)}</Anchor></Field>}
            </SimpleGrid>
          </Card>
          <Tabs defaultValue="log" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="log">Log</Tabs.Tab>
              <Tabs.Tab value="attempts">Attempts</Tabs.Tab>
              <Tabs.Tab value="results">Results</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="log" pt="md"><LogViewer taskId={t.id} /></Tabs.Panel>
            <Tabs.Panel value="attempts" pt="md"><Attempts task={t} /></Tabs.Panel>
            <Tabs.Panel value="results" pt="md"><TaskResults taskId={t.id} /></Tabs.Panel>
          </Tabs>
        </>
      )}
    </Stack>
  );
}
