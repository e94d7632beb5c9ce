import { statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export type ResourceUsage = { cpuPercent: number; memoryBytes: number; diskFreeBytes: number };

/** Cheap, synchronous figures for heartbeats: load as % of cores, used memory, free disk. */
export function readResourceUsage(workspace: string): ResourceUsage {
  let diskFreeBytes = 0;
  try {
    const s = statfsSync(workspace);
    diskFreeBytes = s.bavail * s.bsize;
  } catch {
    diskFreeBytes = 0; // workspace not created yet; the next heartbeat reports it
  }
  return {
    cpuPercent: Math.round((loadavg()[0] / Math.max(1, cpus().length)) * 1000) / 10,
    memoryBytes: totalmem() - freemem(),
    diskFreeBytes,
  };
}
