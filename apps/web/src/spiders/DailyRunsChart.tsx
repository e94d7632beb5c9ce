import { Group, Text } from '@mantine/core';
import type { SpiderDay } from '../api/types';

const W = 720;
const H = 170;
const PAD = { left: 34, right: 8, top: 12, bottom: 24 };
/** Stacked bottom to top in this order. */
export const DAY_STATUSES = [
  { status: 'finished', color: 'var(--mantine-color-green-6)' },
  { status: 'error', color: 'var(--mantine-color-red-6)' },
  { status: 'abnormal', color: 'var(--mantine-color-orange-6)' },
  { status: 'cancelled', color: 'var(--mantine-color-gray-5)' },
] as const;

function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((k) => k * p).find((v) => v >= n) ?? 10 * p;
}

/** Runs per day stacked by end status, plain SVG with a day axis and a count axis (as the overview's chart). */
export function DailyRunsChart({ days }: { days: SpiderDay[] }) {
  const max = niceMax(Math.max(0, ...days.map((d) => d.runs)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / Math.max(1, days.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const every = Math.ceil(days.length / 8);
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`Runs per day, last ${days.length} days`}>
        {[0, max / 2, max].filter((v) => Number.isInteger(v)).map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="var(--mantine-color-gray-3)" />
            <text x={PAD.left - 4} y={y(v) + 4} fontSize="11" textAnchor="end" fill="var(--mantine-color-dimmed)">{v}</text>
          </g>
        ))}
        {days.map((d, i) => {
          let base = 0;
          return (
            <g key={d.day} data-day={d.day} data-runs={d.runs}>
              <title>{`${d.day}: ${d.runs} runs${Object.entries(d.byStatus).map(([k, v]) => `, ${v} ${k}`).join('')}`}</title>
              {DAY_STATUSES.map(({ status, color }) => {
                const n = d.byStatus[status] ?? 0;
                if (!n) return null;
                const top = y(base + n);
                const rect = <rect key={status} x={PAD.left + i * bw + bw * 0.15} width={bw * 0.7} y={top} height={y(base) - top} fill={color} />;
                base += n;
                return rect;
              })}
              {i % every === 0 && (
                <text x={PAD.left + i * bw + bw / 2} y={H - 8} fontSize="11" textAnchor="middle" fill="var(--mantine-color-dimmed)">{d.day.slice(5)}</text>
              )}
            </g>
          );
        })}
      </svg>
      <Group gap="md" justify="center">
        {DAY_STATUSES.map(({ status, color }) => (
          <Group key={status} gap={4}>
            <span style={{ width: 10, height: 10, background: color, display: 'inline-block', borderRadius: 2 }} />
            <Text size="xs">{status}</Text>
          </Group>
        ))}
      </Group>
    </div>
  );
}
