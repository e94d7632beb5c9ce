import { Group, Text } from '@mantine/core';
import type { ActivityBucket } from '../api/types';

/** Finished and failed tasks per minute as plain SVG bars: no chart library on the first page. */
export function ActivityChart({ buckets }: { buckets: ActivityBucket[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.finished + b.error + b.abnormal + b.cancelled));
  const w = 8;
  const h = 80;
  const total = buckets.reduce((s, b) => s + b.finished, 0);
  const failed = buckets.reduce((s, b) => s + b.error + b.abnormal, 0);
  return (
    <div>
      <svg width={buckets.length * w} height={h} role="img" aria-label={`Tasks per minute, last hour: ${total} finished, ${failed} failed`}>
        {buckets.map((b, i) => {
          const ok = (b.finished / max) * h;
          const bad = ((b.error + b.abnormal) / max) * h;
          return (
            <g key={b.minute}>
              <title>{`${new Date(b.minute).toLocaleTimeString()}: ${b.finished} finished, ${b.error} error, ${b.abnormal} abnormal, ${b.cancelled} cancelled`}</title>
              <rect x={i * w} y={h - ok} width={w - 1} height={ok} fill="#40c057" />
              <rect x={i * w} y={h - ok - bad} width={w - 1} height={bad} fill="#fa5252" />
            </g>
          );
        })}
      </svg>
      <Group gap="md">
        <Text size="xs" c="green">
          finished {total}
        </Text>
        <Text size="xs" c="red">
          failed {failed}
        </Text>
      </Group>
    </div>
  );
}
