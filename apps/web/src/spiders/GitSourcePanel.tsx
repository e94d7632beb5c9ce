import { Alert, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../shared/ErrorAlert';
import { formatTime } from '../shared/format';
import { useGitPull, useGitSource } from './use-git';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-all' }}>{children}</Text>
    </div>
  );
}

/** The spider's git source (never its credential), its last pull, and a Pull button with the outcome. */
export function GitSourcePanel({ spiderId, cannotEdit }: { spiderId: string; cannotEdit: string | null }) {
  const source = useGitSource(spiderId);
  const pull = useGitPull(spiderId);
  const s = source.data;
  if (!s) return <ErrorAlert error={source.error} />;
  const done = pull.data;
  return (
    <Card withBorder aria-label="Git source">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>Git source</Text>
          <Button size="xs" onClick={() => pull.mutate()} loading={pull.isPending} disabled={!!cannotEdit} title={cannotEdit ?? undefined}>Pull</Button>
        </Group>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Field label="Repository"><code>{s.url}</code>{s.hasCredential ? ' · credential stored' : ''}</Field>
          <Field label="Ref">{s.ref}{s.path ? ` · ${s.path}/` : ''}</Field>
          <Field label="Last pull">{s.lastPulledAt ? formatTime(s.lastPulledAt) : 'never'}{s.lastCommit ? ` · ${s.lastCommit.slice(0, 12)}` : ''}{s.autoPullSec ? ` · auto every ${s.autoPullSec} s` : ''}</Field>
          {s.hostKeyFingerprint && <Field label="Host key (pinned)"><code aria-label="Host key fingerprint">{s.hostKeyFingerprint}</code></Field>}
        </SimpleGrid>
        {done && (
          <Text size="sm" c={done.changed ? 'green' : undefined} role="status">
            {done.changed ? `Pulled ${done.commit.slice(0, 12)}: new version ${done.version}` : `No change at ${done.commit.slice(0, 12)}: still version ${done.version}`}
          </Text>
        )}
        <ErrorAlert error={pull.error} title="Pull failed" />
        {!pull.error && s.lastError && <Alert color="red" title="Last pull failed">{s.lastError}</Alert>}
      </Stack>
    </Card>
  );
}

/** A commit in one line: short id, first line of the message, author. */
export function CommitLine({ commit }: { commit: { commit: string; message: string; author: string } }) {
  return (
    <span title={`${commit.commit}\n${commit.author}`}>
      <code>{commit.commit.slice(0, 12)}</code> {commit.message} <Text span size="xs" c="dimmed">{commit.author.replace(/\s*<.*>$/, '')}</Text>
    </span>
  );
}
