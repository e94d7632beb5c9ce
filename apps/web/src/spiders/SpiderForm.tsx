import { Button, Group, Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { Spider, SpiderInput } from '../api/types';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useSaveSpider } from './use-spiders';
import { useCurrentProject } from '../access/use-access';

/** Create (no spider) or edit a spider: name, command, parameters, results collection and dedup. */
export function SpiderForm({ spider, onClose, onSaved }: { spider: Spider | null; onClose: () => void; onSaved?: (s: Spider) => void }) {
  const save = useSaveSpider(spider?.id ?? null);
  const project = useCurrentProject();
  const [name, setName] = useState(spider?.name ?? '');
  const [cmd, setCmd] = useState(spider?.cmd ?? '');
  const [param, setParam] = useState(spider?.param ?? '');
  const [description, setDescription] = useState(spider?.description ?? '');
  const [collection, setCollection] = useState(spider?.resultsCollection ?? '');
  const [dedupKeys, setDedupKeys] = useState(spider?.dedup?.keys.join(', ') ?? '');
  const [dedupMode, setDedupMode] = useState<'ignore' | 'overwrite'>(spider?.dedup?.mode ?? 'ignore');
  const submit = () => {
    const input: SpiderInput = { name, cmd, param, description, ...(spider || !project ? {} : { projectId: project }) };
    // Results fields only when set: a master without the results API would refuse unknown fields.
    if (collection.trim()) input.resultsCollection = collection.trim();
    const keys = dedupKeys.split(',').map((k) => k.trim()).filter(Boolean);
    if (keys.length) input.dedup = { keys, mode: dedupMode };
    else if (spider?.dedup) input.dedup = null;
    save.mutate(input, { onSuccess: (s) => { onSaved?.(s); onClose(); } });
  };
  return (
    <Modal opened onClose={onClose} title={spider ? `Edit spider ${spider.name}` : 'New spider'}>
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <TextInput label="Command" description="run with /bin/sh -c in the spider's folder" value={cmd} onChange={(e) => setCmd(e.currentTarget.value)} required />
          <TextInput label="Parameters" value={param} onChange={(e) => setParam(e.currentTarget.value)} />
          <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <TextInput label="Results collection" placeholder="results_<name>" value={collection} onChange={(e) => setCollection(e.currentTarget.value)} />
          <Group grow>
            <TextInput label="Dedup keys" description="comma separated fields" value={dedupKeys} onChange={(e) => setDedupKeys(e.currentTarget.value)} />
            <Select label="Dedup mode" data={['ignore', 'overwrite']} value={dedupMode} onChange={(v) => setDedupMode((v as 'ignore' | 'overwrite') ?? 'ignore')} allowDeselect={false} />
          </Group>
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>{spider ? 'Save spider' : 'Create spider'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
