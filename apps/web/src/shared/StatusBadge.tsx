import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  pending: 'yellow',
  assigned: 'cyan',
  running: 'blue',
  finished: 'green',
  error: 'red',
  cancelled: 'gray',
  abnormal: 'orange',
  online: 'green',
  offline: 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLORS[status] ?? 'gray'} variant="light" data-status={status}>
      {status}
    </Badge>
  );
}
