import { Card, Text } from '@mantine/core';
import type { NodeSample } from '../api/types';

const W = 420;
const H = 140;
const PAD = { left: 44, right: 8, top: 20, bottom: 22 };

const hhmm = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** A rounded top for the y axis: 1, 2, 5, 10, 20, 50… at or above `n`. */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((k) => k * p).find((v) => v >= n) ?? 10 * p;
}

/**
 * One figure of a node over its history window as a plain SVG line with a time axis and a value
 * axis. A gap of more than two slots (the node was offline) breaks the line.
 */
export function HistoryChart(props: {
  title: string;
  samples: NodeSample[];
  value: (s: NodeSample) => number;
  format: (v: number) => string;
  /** The axis' top at least this (100 for CPU: a load above the cores reads over 100 %). */
  minMax?: number;
  slotMs: number;
  windowMs: number;
  nowMs: number;
}) {
  const { samples, value, format, slotMs, windowMs, nowMs } = props;
  const values = samples.map(value);
  const max = Math.max(props.minMax ?? 0, niceMax(Math.max(0, ...values)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const start = nowMs - windowMs;
  const x = (ms: number) => PAD.left + Math.min(1, Math.max(0, (ms - start) / windowMs)) * plotW;
  const y = (v: number) => PAD.top + plotH - (Math.min(v, max) / max) * plotH;
  const lines: string[] = [];
  let current: string[] = [];
  samples.forEach((s, i) => {
    if (i > 0 && new Date(s.at).getTime() - new Date(samples[i - 1].at).getTime() > 2.5 * slotMs) {
      lines.push(current.join(' '));
      current = [];
    }
    current.push(`${x(new Date(s.at).getTime()).toFixed(1)},${y(values[i]).toFixed(1)}`);
  });
  if (current.length) lines.push(current.join(' '));
  const last = values.at(-1);
  const label = `${props.title}, last ${Math.round(windowMs / 60_000)} minutes: ${samples.length} samples${last === undefined ? '' : `, now ${format(last)}`}`;
  return (
    <Card withBorder padding="xs">
      <Text size="sm" fw={600}>{props.title}{last === undefined ? '' : `: ${format(last)}`}</Text>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={label} data-samples={samples.length}>
        {[0, max / 2, max].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#dee2e6" strokeDasharray={v ? '3 3' : undefined} />
            <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end" fontSize="10" fill="#868e96">{format(v)}</text>
          </g>
        ))}
        {[0, 0.5, 1].map((f) => (
          <text key={f} x={PAD.left + f * plotW} y={H - 6} textAnchor={f === 0 ? 'start' : f === 1 ? 'end' : 'middle'} fontSize="10" fill="#868e96">
            {f === 1 ? 'now' : hhmm(start + f * windowMs)}
          </text>
        ))}
        {lines.map((pts, i) =>
          pts.includes(' ') ? (
            <polyline key={i} points={pts} fill="none" stroke="#228be6" strokeWidth={1.5} />
          ) : (
            <circle key={i} cx={pts.split(',')[0]} cy={pts.split(',')[1]} r={2} fill="#228be6" />
          ),
        )}
      </svg>
      {samples.length === 0 && <Text size="xs" c="dimmed">No samples yet: the node reports one every {Math.round(slotMs / 1000)} s while online.</Text>}
    </Card>
  );
}
