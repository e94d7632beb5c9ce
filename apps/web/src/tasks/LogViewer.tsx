import { Alert, Button, Group, Switch, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { LogLine } from '../api/types';
import { nextHit } from './log-buffer';
import { useLogFollow } from './use-log-follow';

/** When the worker read the line (stored with each line), as local time with milliseconds. */
function logTime(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The lines received so far as a text file (with the time each line was read). */
function downloadLog(taskId: string, lines: readonly LogLine[]): void {
  const text = lines.map((l) => `${l.ts}\t${l.stream}\t${l.text}`).join('\n') + '\n';
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `task-${taskId.slice(-8)}-log.txt`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The live log: virtualized (only visible rows exist in the DOM), follow, search, jump to end. */
export function LogViewer({ taskId }: { taskId: string }) {
  const { buffer, count, ended, error, connected } = useLogFollow(taskId);
  const [follow, setFollow] = useState(true);
  const [wrap, setWrap] = useState(false);
  const [times, setTimes] = useState(false);
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
        <Switch label="Wrap" checked={wrap} onChange={(e) => setWrap(e.currentTarget.checked)} />
        <Switch label="Times" checked={times} onChange={(e) => setTimes(e.currentTarget.checked)} />
        <Button size="xs" variant="default" onClick={() => { setFollow(true); list.current?.scrollToIndex({ index: 'LAST', align: 'end' }); }}>Jump to end</Button>
        <Button size="xs" variant="default" onClick={() => downloadLog(taskId, lines)} disabled={count === 0}>Download log</Button>
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
            <div style={{ display: 'flex', whiteSpace: wrap ? 'pre-wrap' : 'pre', wordBreak: wrap ? 'break-all' : undefined, padding: '0 6px', color: l.stream === 'stderr' ? '#ff8787' : undefined, background: hit ? '#5c5f1a' : undefined }} data-seq={l.seq}>
              <span aria-hidden style={{ color: '#666', minWidth: 56, textAlign: 'right', paddingRight: 10, userSelect: 'none', flexShrink: 0 }}>{i + 1}</span>
              {times && <span style={{ color: '#8ab', paddingRight: 10, flexShrink: 0 }} data-ts>{logTime(l.ts)}</span>}
              <span>{l.text}</span>
            </div>
          );
        }}
      />
      </div>
    </div>
  );
}
