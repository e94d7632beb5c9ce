import { Button, Checkbox, Group, Pagination, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { formatAgo } from '../shared/format';
import { ColumnPicker } from './ColumnPicker';
import { loadChoice, resolveTaskRef, saveChoice, toggleColumn, visibleColumns, type ColumnChoice } from './result-columns';
import { ResultsTable } from './ResultsTable';
import { RESULTS_PAGE_SIZE as SIZE } from './results-route.prefetch';
import { downloadExport, spiderName, useRecentTasks, useResultFields, useResults } from './use-results';

/** One spider's results: column picker, task and field filters, table, export. */
export function ResultsView({ spiderId, initialTaskId }: { spiderId: string; initialTaskId?: string }) {
  const [taskRef, setTaskRef] = useState(initialTaskId ?? '');
  const [field, setField] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const [page, setPage] = useState(1);
  const [bom, setBom] = useState(false);
  const [choice, setChoice] = useState<ColumnChoice>(() => loadChoice(spiderId));
  const [pickerOpened, setPickerOpened] = useState(false);
  const client = useQueryClient();
  const fields = useResultFields(spiderId);
  // A full id needs no lookup; a short one, or the picker, needs the spider's recent tasks.
  const recent = useRecentTasks(spiderId, pickerOpened || (taskRef.trim() !== '' && !/^[0-9a-f]{24}$/i.test(taskRef.trim())));
  const recentIds = useMemo(() => (recent.data?.items ?? []).map((t) => t.id), [recent.data]);
  const resolved = resolveTaskRef(taskRef, recentIds);
  // A short id waits for the recent tasks before it is called unknown.
  const taskError = resolved.error && !recent.isPending ? resolved.error : undefined;
  const filter = { taskId: resolved.taskId, field: field && value !== '' ? field : undefined, value: field && value !== '' ? value : undefined };
  // A field filter pages by cursor (the master searches for a bounded time and says where it
  // stopped): the cursor of each page shown so far, for this filter.
  const filterKey = JSON.stringify(filter);
  const [cursors, setCursors] = useState<{ key: string; list: (string | undefined)[] }>({ key: filterKey, list: [undefined] });
  const cursorList = cursors.key === filterKey ? cursors.list : [undefined];
  const searching = filter.field !== undefined;
  const cursor = searching ? cursorList[page - 1] : undefined;
  const results = useResults(spiderId, { ...filter, cursor, page: searching && cursor !== undefined ? 1 : page, size: SIZE });
  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  if (isMissingRoute(results.error)) return <Text c="dimmed">This master has no results API yet.</Text>;

  const allFields = fields.data?.length ? fields.data : [...new Set((results.data?.items ?? []).flatMap((i) => Object.keys(i)))];
  const columns = visibleColumns(allFields, choice);
  const toggle = (f: string, on: boolean) => {
    const next = toggleColumn(choice, f, on);
    setChoice(next);
    saveChoice(spiderId, next);
  };
  const exp = (format: 'csv' | 'json') => {
    setExporting(format);
    setExportError(null);
    spiderName(client, spiderId)
      .then((name) => downloadExport({ id: spiderId, name }, format, resolved.taskId, format === 'csv' && bom))
      .catch(setExportError)
      .finally(() => setExporting(null));
  };
  const taskOptions = (recent.data?.items ?? []).map((t) => ({ value: t.id.slice(-8), label: `${t.id.slice(-8)} · ${t.status} · ${formatAgo(t.createdAt)}` }));
  const data = results.data;
  const byCursor = searching && data !== undefined && data.searched !== undefined;
  const pages = data ? (data.total === null ? page + (data.items.length === SIZE ? 1 : 0) : Math.ceil(data.total / SIZE)) : 0;
  const searchOn = () => {
    if (!data?.cursor) return;
    setCursors({ key: filterKey, list: [...cursorList.slice(0, page), data.cursor] });
    setPage(page + 1);
  };
  return (
    <Stack gap="xs">
      <Group align="flex-end" gap="xs">
        <TextInput label="Task filter" placeholder="short id (8 chars) or full id" value={taskRef} w={200} error={taskError}
          onChange={(e) => { setTaskRef(e.currentTarget.value); setPage(1); }} />
        <Select label="Recent task" placeholder="pick" data={taskOptions} value={taskOptions.some((o) => o.value === taskRef) ? taskRef : null}
          onChange={(v) => { setTaskRef(v ?? ''); setPage(1); }} onDropdownOpen={() => setPickerOpened(true)}
          clearable searchable w={250} comboboxProps={{ width: 320 }} />
        <Select label="Field" placeholder="field" data={allFields} value={field} onChange={(v) => { setField(v); setPage(1); }} clearable searchable w={160} />
        <TextInput label="Value" placeholder="equals" value={value} onChange={(e) => { setValue(e.currentTarget.value); setPage(1); }} w={180} disabled={!field} />
        <ColumnPicker fields={allFields} visible={columns} onToggle={toggle} />
        <Button variant="default" onClick={() => exp('csv')} loading={exporting === 'csv'}>Export CSV</Button>
        <Button variant="default" onClick={() => exp('json')} loading={exporting === 'json'}>Export JSON</Button>
        <Checkbox label="Excel (BOM)" checked={bom} onChange={(e) => setBom(e.currentTarget.checked)} mb={8} />
      </Group>
      <ErrorAlert error={results.error ?? fields.error ?? exportError} />
      {data && (
        <Text size="sm" c="dimmed" role="status" aria-label="Result count">
          {data.total !== null
            ? `${data.total} results`
            : byCursor
              ? `${data.items.length} results on this page · field filter: searched ${(data.searched ?? 0).toLocaleString()} of ${(data.of ?? 0).toLocaleString()} items${data.partial ? ' (search stopped at its time limit)' : ''}`
              : `${data.items.length} results on this page (field filter: not counted)`}
          {/* The previous answer stays on screen while the next one comes: say it is not this one's yet. */}
          {results.isPlaceholderData ? ' · loading…' : ''}
        </Text>
      )}
      {data && <ResultsTable columns={columns} items={data.items} maxHeight="calc(100vh - 290px)" />}
      {byCursor && (
        <Group gap="xs">
          <Button size="xs" variant="default" disabled={page === 1} onClick={() => setPage(page - 1)}>Newer</Button>
          <Button size="xs" variant="default" disabled={!data?.cursor} onClick={searchOn}>
            {data?.partial ? 'Search further' : 'Older'}
          </Button>
        </Group>
      )}
      {data && !byCursor && pages > 1 && (
        <Pagination total={pages} value={page} onChange={setPage} size="sm"
          getControlProps={(c) => ({ 'aria-label': `${c} page` })} getItemProps={(p) => ({ 'aria-label': `Results page ${p}` })} />
      )}
    </Stack>
  );
}
