import { Text } from '@mantine/core';
import { cronPreview } from './cron-preview';

/** The expression in words and its next five run times, as the user types. */
export function CronHint({ cron, timezone }: { cron: string; timezone?: string }) {
  const p = cronPreview(cron, { tz: timezone || 'UTC' });
  if ('error' in p) return <Text size="xs" c="red" role="status" aria-label="Cron preview">{p.error}</Text>;
  return (
    <div role="status" aria-label="Cron preview">
      <Text size="sm">{p.words} ({timezone || 'UTC'})</Text>
      <Text size="xs" c="dimmed">Next: {p.next.map((d) => d.toLocaleString()).join(' · ')}</Text>
    </div>
  );
}
