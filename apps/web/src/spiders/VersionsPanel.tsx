import { Button, Group, Modal, NativeSelect, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { SpiderVersion } from '../api/types';
import { ErrorAlert, isMissingRoute } from '../shared/ErrorAlert';
import { formatBytes, formatTime } from '../shared/format';
import { CommitLine } from './GitSourcePanel';
import { useRestoreVersion, useSpiderVersions, useVersionDiff, useVersionFiles, useVersionFileText } from './use-spiders';

/** The files of one kept version, and the content of the one chosen (read-only). */
function VersionFiles({ spiderId, version }: { spiderId: string; version: number }) {
  const files = useVersionFiles(spiderId, version);
  const [path, setPath] = useState<string | null>(null);
  const text = useVersionFileText(spiderId, path, version);
  return (
    <Stack gap="xs">
      <Title order={4}>Version {version}</Title>
      <ErrorAlert error={files.error ?? text.error} />
      <Group align="flex-start" wrap="nowrap">
        <Stack gap={2} w={260} style={{ flexShrink: 0 }}>
          {files.data?.map((f) => (
            <UnstyledButton key={f.path} onClick={() => setPath(f.path)} aria-label={`Show ${f.path} of version ${version}`}>
              <Text size="sm" c={f.path === path ? 'blue' : undefined}>{f.path} <Text span size="xs" c="dimmed">{formatBytes(f.size)}</Text></Text>
            </UnstyledButton>
          ))}
        </Stack>
        {path && (
          <pre aria-label={`Content of ${path} in version ${version}`} style={{ flexGrow: 1, minWidth: 0, maxHeight: 420, overflow: 'auto', margin: 0, padding: 8, background: 'var(--mantine-color-gray-0)' }}>
            {text.data ?? 'Loading…'}
          </pre>
        )}
      </Group>
    </Stack>
  );
}

/** Added, removed and changed files between two versions, with the text diffs. */
function VersionCompare({ spiderId, versions }: { spiderId: string; versions: SpiderVersion[] }) {
  const numbers = versions.map((v) => String(v.version));
  const [from, setFrom] = useState(numbers[1] ?? numbers[0] ?? '');
  const [to, setTo] = useState(numbers[0] ?? '');
  const [pair, setPair] = useState<{ a: number; b: number } | null>(null);
  const diff = useVersionDiff(spiderId, pair);
  const d = diff.data;
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <NativeSelect label="From version" data={numbers} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <NativeSelect label="To version" data={numbers} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        <Button variant="default" disabled={!from || !to} onClick={() => setPair({ a: Number(from), b: Number(to) })}>Compare</Button>
      </Group>
      <ErrorAlert error={diff.error} />
      {d && (
        <Stack gap={4} aria-label={`Changes from version ${d.from} to ${d.to}`}>
          {d.added.length + d.removed.length + d.changed.length === 0 && <Text size="sm">Versions {d.from} and {d.to} hold the same files.</Text>}
          {d.added.map((f) => <Text key={`a${f.path}`} size="sm" c="green">added {f.path}</Text>)}
          {d.removed.map((f) => <Text key={`r${f.path}`} size="sm" c="red">removed {f.path}</Text>)}
          {d.changed.map((c) => (
            <Stack key={`c${c.path}`} gap={2}>
              <Text size="sm">changed {c.path}{c.diff === undefined ? (c.from.sha256 === c.to.sha256 ? ' (mode only)' : ' (binary or large: no text diff)') : ''}</Text>
              {c.diff && (
                <pre aria-label={`Diff of ${c.path}`} style={{ margin: 0, padding: 8, maxHeight: 360, overflow: 'auto', background: 'var(--mantine-color-gray-0)' }}>
                  {c.diff.split('\n').map((line, i) => (
                    <div key={i} style={{ color: line.startsWith('+') ? 'var(--mantine-color-green-8)' : line.startsWith('-') ? 'var(--mantine-color-red-8)' : undefined }}>{line}</div>
                  ))}
                </pre>
              )}
            </Stack>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

/** Versions of a spider's files: view one, compare two, restore one (a master without the versions route shows only the current one). */
export function VersionsPanel({ spiderId, current }: { spiderId: string; current: number }) {
  const versions = useSpiderVersions(spiderId);
  const restore = useRestoreVersion(spiderId);
  const [viewing, setViewing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<SpiderVersion | null>(null);
  if (isMissingRoute(versions.error)) return <Text size="sm">Current version: {current}. (This master does not list older versions.)</Text>;
  const doRestore = (v: SpiderVersion) => {
    setConfirming(null);
    restore.mutate(v.version, { onSuccess: () => void versions.refetch() });
  };
  const done = restore.data;
  return (
    <Stack>
      <ErrorAlert error={versions.error ?? restore.error} />
      {done && restore.variables !== undefined && (
        <Text size="sm" c="green" role="status">
          {done.unchanged ? `Version ${done.version} already holds the files of version ${restore.variables}: nothing changed` : `Restored version ${restore.variables} as version ${done.version}`}
        </Text>
      )}
      <Table aria-label="Versions">
        <Table.Thead>
          <Table.Tr><Table.Th>Version</Table.Th><Table.Th>Files</Table.Th><Table.Th>Size</Table.Th><Table.Th>Created</Table.Th><Table.Th>Commit</Table.Th><Table.Th>Note</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.data?.map((v) => (
            <Table.Tr key={v.version}>
              <Table.Td>{v.version}{v.version === current ? ' (current)' : ''}</Table.Td>
              <Table.Td>{v.fileCount ?? '—'}</Table.Td>
              <Table.Td>{formatBytes(v.totalBytes)}</Table.Td>
              <Table.Td>{formatTime(v.createdAt)}</Table.Td>
              <Table.Td aria-label={`Commit of version ${v.version}`}>{v.git ? <CommitLine commit={v.git} /> : ''}</Table.Td>
              <Table.Td>{v.restoredFrom ? `restores version ${v.restoredFrom}` : ''}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  <Button size="xs" variant="default" aria-label={`View version ${v.version}`} onClick={() => setViewing(v.version)}>View</Button>
                  <Button size="xs" variant="light" aria-label={`Restore version ${v.version}`} disabled={v.version === current} loading={restore.isPending && restore.variables === v.version} onClick={() => setConfirming(v)}>
                    Restore
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {versions.data && versions.data.length > 1 && <VersionCompare spiderId={spiderId} versions={versions.data} />}
      {viewing !== null && <VersionFiles key={viewing} spiderId={spiderId} version={viewing} />}
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title={`Restore version ${confirming?.version ?? ''}?`}>
        {confirming && (
          <Stack>
            <Text size="sm">
              A new version is made with the {confirming.fileCount ?? ''} files of version {confirming.version}. Version {current} and the others stay in the history; tasks started from now on run the restored files.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirming(null)}>Cancel</Button>
              <Button onClick={() => doRestore(confirming)}>Restore</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
