import { Button, Group, Modal, MultiSelect, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Spider, TaskMode } from '../api/types';
import { useNodes } from '../nodes/use-nodes';
import { ErrorAlert } from '../shared/ErrorAlert';
import { parsePairs } from '../shared/format';
import { useRunSpider } from './use-spiders';

/** Run a spider: placement (mode, nodes, labels), priority, env, timeout, retries. */
export function RunDialog({ spider, onClose }: { spider: Spider; onClose: () => void }) {
  const run = useRunSpider();
  const nodes = useNodes();
  const navigate = useNavigate();
  const [mode, setMode] = useState<TaskMode>('random');
  const [nodeIds, setNodeIds] = useState<string[]>([]);
  const [labels, setLabels] = useState('');
  const [param, setParam] = useState(spider.param);
  const [env, setEnv] = useState('');
  const [priority, setPriority] = useState(5);
  const [timeoutSec, setTimeoutSec] = useState(0);
  const [maxRetries, setMaxRetries] = useState(0);
  const l = parsePairs(labels);
  const e = parsePairs(env);
  return (
    <Modal opened onClose={onClose} title={`Run ${spider.name}`}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          run.mutate(
            { spiderId: spider.id, mode, nodeIds: mode === 'selected-nodes' ? nodeIds : [], labels: l.value, param, env: e.value, priority, timeoutSec, maxRetries },
            { onSuccess: (r) => { onClose(); if (r.tasks.length === 1) navigate(`/tasks/${r.tasks[0].id}`); else navigate(`/tasks?spiderId=${spider.id}`); } },
          );
        }}
      >
        <Stack>
          <Select label="Mode" data={['random', 'all-nodes', 'selected-nodes']} value={mode} onChange={(v) => setMode((v as TaskMode) ?? 'random')} allowDeselect={false} />
          {mode === 'selected-nodes' && (
            <MultiSelect label="Nodes" data={(nodes.data ?? []).map((n) => ({ value: n.id, label: `${n.name} (${n.status})` }))} value={nodeIds} onChange={setNodeIds} />
          )}
          <TextInput label="Labels" description="key=value, comma separated" value={labels} onChange={(ev) => setLabels(ev.currentTarget.value)} error={l.error} />
          <TextInput label="Parameters" value={param} onChange={(ev) => setParam(ev.currentTarget.value)} />
          <TextInput label="Environment" description="KEY=value, comma separated" value={env} onChange={(ev) => setEnv(ev.currentTarget.value)} error={e.error} />
          <Group grow>
            <NumberInput label="Priority" min={1} max={10} value={priority} onChange={(v) => setPriority(Number(v))} />
            <NumberInput label="Timeout (s)" min={0} value={timeoutSec} onChange={(v) => setTimeoutSec(Number(v))} />
            <NumberInput label="Retries" min={0} value={maxRetries} onChange={(v) => setMaxRetries(Number(v))} />
          </Group>
          <ErrorAlert error={run.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={run.isPending} disabled={!!l.error || !!e.error}>Start run</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
