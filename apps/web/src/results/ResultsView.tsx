import { Button, Group, Pagination, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { ResultsTable } from './ResultsTable';
import { downloadExport, useResultFields, useResults } from './use-results';

const SIZE = 50;

/** One spider's results: table, task filter, export. */
export function ResultsView({ spiderId, initialTaskId }: { spiderId: string; initialTaskId?: string }) {
  const [taskId, setTaskId] = useState(initialTaskId ?? '');
  const [page, setPage] = useState(1);
  const fields = useResultFields(spiderId);
  const results = useResults(spiderId, { taskId: taskId.trim() || undefined, page, size: SIZE });
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  if (isMissingRoute(results.error)) return <Text c="dimmed">This master has no results API yet.</Text>;
  const exp = (format: 'csv' | 'json') => {
    setExporting(format);
    setExportError(null);
    downloadExport(spiderId, format, taskId.trim() || undefined)
      .catch(setExportError)
      .finally(() => setExporting(null));
  };
  const data = results.data;
  return (
    <Stack>
      <Group align="flex-end">
        <TextInput label="Task filter" placeholder="task id" value={taskId} onChange={(e) => { setTaskId(e.currentTarget.value); setPage(1); }} w={280} />
        <Button variant="default" onClick={() => exp('csv')} loading={exporting === 'csv'}>Export CSV</Button>
        <Button variant="default" onClick={() => exp('json')} loading={exporting === 'json'}>Export JSON</Button>
      </Group>
      <ErrorAlert error={results.error ?? fields.error ?? exportError} />
      {data && <Text size="sm" c="dimmed" role="status" aria-label="Result count">{data.total} results</Text>}
      {data && <ResultsTable fields={fields.data ?? []} items={data.items} />}
      {data && data.total > SIZE && (
        <Pagination total={Math.ceil(data.total / SIZE)} value={page} onChange={setPage}
          getControlProps={(c) => ({ 'aria-label': `${c} page` })} getItemProps={(p) => ({ 'aria-label': `Results page ${p}` })} />
      )}
    </Stack>
  );
}
