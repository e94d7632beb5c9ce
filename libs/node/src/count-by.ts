/** Occurrences of each of `keys` in `values`: 0 for a key never seen, values outside `keys` ignored. */
export function countBy(values: readonly string[], keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = 0;
  for (const v of values) if (Object.prototype.hasOwnProperty.call(out, v)) out[v]++;
  return out;
}
