import { Badge } from '@mantine/core';
import { useMasterReachable } from '../api/reachability';

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

/** Never narrower than its text (a table column squeezing it would cut "CANCELLED" to "C…"). */
const FIT = { root: { flexShrink: 0, minWidth: 'max-content', overflow: 'visible' }, label: { overflow: 'visible' } } as const;

export function StatusBadge({ status }: { status: string }) {
  const reachable = useMasterReachable();
  return (
    <Badge color={reachable ? (COLORS[status] ?? 'gray') : 'gray'} variant={reachable ? 'light' : 'outline'} data-status={status}
      data-stale={reachable ? undefined : true} title={reachable ? undefined : `${status} (last known: the master cannot be reached)`}
      styles={FIT} style={reachable ? undefined : { opacity: 0.55 }}>
      {status}
    </Badge>
  );
}
