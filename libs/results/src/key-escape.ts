/**
 * Keys MongoDB or FerretDB cannot store as given are escaped, the same way at every depth:
 * `%` → `%25`, `.` → `%2E`, NUL → `%00`, and a leading `$` → `%24`. The rule is percent
 * encoding of those characters only, so `decodeURIComponent` restores the original key, and
 * keys without them are unchanged. A top-level `_id` is ours (it orders and dedups the
 * collection): the item's own `_id` is kept as `%5Fid`.
 */
export function escapeKey(key: string): string {
  if (!/[%.\0]|^\$/.test(key)) return key;
  let out = key.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\0/g, '%00');
  if (out.startsWith('$')) out = '%24' + out.slice(1);
  return out;
}

/** A copy of `value` with every object key escaped (arrays and nested objects included). */
export function escapeKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(escapeKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escapeKey(k)] = escapeKeysDeep(v);
  return out;
}

/** The item as stored: keys escaped, its own `_id` moved aside. */
export function storableItem(item: Record<string, unknown>): Record<string, unknown> {
  const escaped = escapeKeysDeep(item) as Record<string, unknown>;
  if ('_id' in escaped) {
    escaped['%5Fid'] = escaped._id;
    delete escaped._id;
  }
  return escaped;
}
