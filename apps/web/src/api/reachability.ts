import { useSyncExternalStore } from 'react';

/**
 * Whether the last call reached the master. A fetch that throws (no answer at all: the master is
 * down, the network is gone) marks it unreachable; any answer, even an error status, marks it back.
 */
let reachable = true;
const listeners = new Set<() => void>();

export function markReachable(ok: boolean): void {
  if (ok === reachable) return;
  reachable = ok;
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export const useMasterReachable = (): boolean => useSyncExternalStore(subscribe, () => reachable);
