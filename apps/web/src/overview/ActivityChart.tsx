import { Group, Text } from '@mantine/core';
import type { ActivityBucket } from '../api/types';

const W = 720;
const H = 150;
const PAD = { left: 34, right: 8, top: 20, bottom: 24 };

const hhmm = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** A rounded top for the y axis: 1, 2, 5, 10, 20, 50… at or above `n`. */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((k) => k * p).find((v) => v >= n) ?? 10 * p;
}

/**
 * Finished and failed tasks per minute as plain SVG bars with a time axis and a count axis: no
 * chart library on the first page. It spans the card's width (viewBox scaled).
 */
export function ActivityChart({ buckets }: { buckets: ActivityBucket[] }) {
  const max = niceMax(Math.max(...buckets.map((b) => b.finished + b.error + b.abnormal + b.cancelled), 0));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / Math.max(1, buckets.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const total = buckets.reduce((s, b) => s + b.finished, 0);
  const failed = buckets.reduce((s, b) => s + b.error + b.abnormal, 0);
  const cancelled = buckets.reduce((s, b) => s + b.cancelled, 0);
  const ticks = [0, max / 2, max].filter((v, i, a) => a.indexOf(v) === i && Number.isInteger(v));
  const every = Math.max(1, Math.round(buckets.length / 6));
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxHeight: 200 }} role="img"
        aria-label={`Tasks per minute, last hour: ${total} finished, ${failed} failed, ${cancelled} cancelled`}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#dee2e6" strokeDasharray={v ? '3 3' : undefined} />
            <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end" fontSize="10" fill="#868e96">{v}</text>
          </g>
        ))}
        <text x={PAD.left} y={10} fontSize="10" fill="#868e96">tasks per minute</text>
        {buckets.map((b, i) => {
          const x = PAD.left + i * bw;
          const ok = (b.finished / max) * plotH;
          const bad = ((b.error + b.abnormal) / max) * plotH;
          const gray = (b.cancelled / max) * plotH;
          const base = PAD.top + plotH;
          return (
            <g key={b.minute}>
              <title>{`${hhmm(b.minute)}: ${b.finished} finished, ${b.error} error, ${b.abnormal} abnormal, ${b.cancelled} cancelled`}</title>
              <rect x={x} y={base - ok} width={Math.max(1, bw - 1)} height={ok} fill="#40c057" />
              <rect x={x} y={base - ok - bad} width={Math.max(1, bw - 1)} height={bad} fill="#fa5252" />
              <rect x={x} y={base - ok - bad - gray} width={Math.max(1, bw - 1)} height={gray} fill="#adb5bd" />
              {(i % every === 0 || i === buckets.length - 1) && (
                <text x={x + bw / 2} y={H - 8} textAnchor="middle" fontSize="10" fill="#868e96">{i === buckets.length - 1 ? 'now' : hhmm(b.minute)}</text>
              )}
            </g>
          );
        })}
      </svg>
      <Group gap="md">
        <Text size="xs" c="green">finished {total}</Text>
        <Text size="xs" c="red">failed {failed}</Text>
        <Text size="xs" c="dimmed">cancelled {cancelled}</Text>
      </Group>
    </div>
  );
}
