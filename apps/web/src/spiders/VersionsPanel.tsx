import { Table, Text } from '@mantine/core';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { formatBytes, formatTime } from '../shared/format';
import { useSpiderVersions } from './use-spiders';

/** Versions of a spider's files (a master without the versions route shows only the current one). */
export function VersionsPanel({ spiderId, current }: { spiderId: string; current: number }) {
  const versions = useSpiderVersions(spiderId);
  if (isMissingRoute(versions.error)) return <Text size="sm">Current version: {current}. (This master does not list older versions.)</Text>;
  return (
    <>
      <ErrorAlert error={versions.error} />
      <Table aria-label="Versions">
        <Table.Thead><Table.Tr><Table.Th>Version</Table.Th><Table.Th>Files</Table.Th><Table.Th>Size</Table.Th><Table.Th>Created</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {versions.data?.map((v) => (
            <Table.Tr key={v.version}>
              <Table.Td>{v.version}{v.version === current ? ' (current)' : ''}</Table.Td>
              <Table.Td>{v.fileCount ?? '—'}</Table.Td>
              <Table.Td>{formatBytes(v.totalBytes)}</Table.Td>
              <Table.Td>{formatTime(v.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
