import { Alert, Button, Group, Switch, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { nextHit } from './log-buffer';
import { useLogFollow } from './use-log-follow';

/** The live log: virtualized (only visible rows exist in the DOM), follow, search, jump to end. */
export function LogViewer({ taskId }: { taskId: string }) {
  const { buffer, count, ended, error, connected } = useLogFollow(taskId);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [applied, setApplied] = useState('');
  const [hitAt, setHitAt] = useState<number | null>(null);
  const list = useRef<VirtuosoHandle>(null);
  // Search reruns when the query is submitted or lines arrive (cheap: a linear scan, ~50 ms at 200k).
  const hits = useMemo(() => (applied ? buffer.search(applied) : []), [applied, buffer, count]);
  const lines = buffer.lines;

  const jump = (forward: boolean) => {
    const h = nextHit(hits, hitAt ?? (forward ? -1 : lines.length), forward);
    if (h === null) return;
    setFollow(false);
    setHitAt(h);
    list.current?.scrollToIndex({ index: h, align: 'center' });
  };
  useEffect(() => setHitAt(null), [applied]);

  return (
    <div>
      <Group mb="xs" gap="sm">
        <Switch label="Follow" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />
        <Button size="xs" variant="default" onClick={() => { setFollow(true); list.current?.scrollToIndex({ index: 'LAST', align: 'end' }); }}>Jump to end</Button>
        <form onSubmit={(e) => { e.preventDefault(); setApplied(query); }} style={{ display: 'flex', gap: 6 }} role="search" aria-label="Search the log">
          <TextInput size="xs" aria-label="Search log" placeholder="search" value={query} onChange={(e) => setQuery(e.currentTarget.value)} />
          <Button size="xs" type="submit" variant="default">Find</Button>
          <Button size="xs" variant="default" onClick={() => jump(false)} disabled={hits.length === 0}>Previous match</Button>
          <Button size="xs" variant="default" onClick={() => jump(true)} disabled={hits.length === 0}>Next match</Button>
        </form>
        <Text size="xs" c="dimmed" role="status" aria-label="Log status">
          {count} lines{applied ? ` · ${hits.length} matches` : ''} · {ended ? `ended: ${ended}` : connected ? 'live' : 'connecting…'}
        </Text>
      </Group>
      {error && <Alert color="orange" role="alert" mb="xs">Log stream: {error} (reconnecting)</Alert>}
      <div role="log" aria-label="Task log" aria-live="off">
      <Virtuoso
        ref={list}
        style={{ height: 480, fontFamily: 'monospace', fontSize: 12, background: '#111', color: '#ddd' }}
        totalCount={count}
        followOutput={follow ? 'auto' : false}
        increaseViewportBy={200}
        itemContent={(i) => {
          const l = lines[i];
          const hit = i === hitAt;
          return (
            <div style={{ whiteSpace: 'pre', padding: '0 6px', color: l.stream === 'stderr' ? '#ff8787' : undefined, background: hit ? '#5c5f1a' : undefined }} data-seq={l.seq}>
              {l.text}
            </div>
          );
        }}
      />
      </div>
    </div>
  );
}
