import { join } from 'node:path';
/** One figure a benchmark measured, with the goal or baseline it is judged against. */
export type Figure = {
  name: string;
  value: number;
  unit: string;
  /** What the issue asks for, e.g. "< 1000 ms". */
  goal?: string;
  /** What the same work costs elsewhere (e.g. BullMQ, rsync), in the same unit. */
  baseline?: { name: string; value: number };
};

export type Benchmark = { name: string; run(): Promise<Figure[]> };

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function formatFigure(f: Figure): string {
  const v = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(2);
  let line = `  ${f.name}: ${v} ${f.unit}`;
  if (f.goal) line += `   (goal ${f.goal})`;
  if (f.baseline) {
    const ratio = f.baseline.value === 0 ? NaN : f.value / f.baseline.value;
    line += `   [${f.baseline.name}: ${Number.isInteger(f.baseline.value) ? f.baseline.value : f.baseline.value.toFixed(2)} ${f.unit}; ratio ${ratio.toFixed(2)}]`;
  }
  return line;
}

/**
 * The libs import each other as `@crawlnest/*`: maps that onto their compiled copies beside the
 * bench. Call before a dynamic import of a lib module that imports another lib.
 */
export function registerLibPaths(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsconfigPaths = require('tsconfig-paths') as typeof import('tsconfig-paths');
  tsconfigPaths.register({ baseUrl: join(__dirname, '..'), paths: { '@crawlnest/*': ['libs/*/src'] } });
}
