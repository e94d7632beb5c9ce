import { useQuery } from '@tanstack/react-query';
import { Text } from '@mantine/core';
import { api } from '../api/client';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { visibleColumns, loadChoice } from './result-columns';
import { ResultsTable } from './ResultsTable';

export function TaskResults({ taskId }: { taskId: string }) {
  const results = useQuery({ queryKey: ['task', taskId, 'results'], queryFn: () => api.taskResults(taskId, 1, 100) });
  if (isMissingRoute(results.error)) return <Text c="dimmed">This master has no results API yet.</Text>;
  const items = results.data?.items ?? [];
  const sid = typeof items[0]?._sid === 'string' ? items[0]._sid : '';
  const columns = visibleColumns([...new Set(items.flatMap((i) => Object.keys(i)))], loadChoice(sid));
  return (
    <>
      <ErrorAlert error={results.error} />
      {results.data && <Text size="sm" c="dimmed">{results.data.total} results (newest 100 shown)</Text>}
      {results.data && <ResultsTable columns={columns} items={items} maxHeight="70vh" />}
    </>
  );
}
