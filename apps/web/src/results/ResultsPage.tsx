import { Select, Stack, Title } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../shared/ErrorAlert';
import { useSpiders } from '../spiders/use-spiders';
import { ResultsView } from './ResultsView';

export default function ResultsPage() {
  const spiders = useSpiders();
  const [params, setParams] = useSearchParams();
  const spiderId = params.get('spiderId');
  return (
    <Stack>
      <Title order={2}>Results</Title>
      <ErrorAlert error={spiders.error} />
      <Select
        label="Spider"
        placeholder="choose a spider"
        searchable
        data={(spiders.data ?? []).map((s) => ({ value: s.id, label: `${s.name}${s.resultCount !== undefined ? ` (${s.resultCount})` : ''}` }))}
        value={spiderId}
        onChange={(v) => setParams(v ? { spiderId: v } : {})}
        w={320}
      />
      {spiderId && <ResultsView key={spiderId} spiderId={spiderId} initialTaskId={params.get('taskId') ?? undefined} />}
    </Stack>
  );
}
