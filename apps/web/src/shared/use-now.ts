import { useEffect, useState } from 'react';

/** The current time, updated every `everyMs` while `enabled` (a running task's duration counts up). */
export function useNow(everyMs: number, enabled: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, enabled]);
  return enabled ? now : Date.now();
}
