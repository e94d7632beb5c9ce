import { useQuery } from '@tanstack/react-query';
import { Text } from '@mantine/core';
import { api } from '../api/client';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { ResultsTable } from './ResultsTable';

export function TaskResults({ taskId }: { taskId: string }) {
  const results = useQuery({ queryKey: ['task', taskId, 'results'], queryFn: () => api.taskResults(taskId, 1, 100) });
  if (isMissingRoute(results.error)) return <Text c="dimmed">This master has no results API yet.</Text>;
  return (
    <>
      <ErrorAlert error={results.error} />
      {results.data && <Text size="sm" c="dimmed">{results.data.total} results (newest 100 shown)</Text>}
      {results.data && <ResultsTable fields={[]} items={results.data.items} />}
    </>
  );
}
