import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';

type Doc = Record<string, unknown>;

/** A CSV cell: nested values as JSON text, times as ISO-8601, absent as empty. */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Documents → CSV rows with a header of `columns` (csv-stringify quotes and escapes). */
export function csvStream(docs: AsyncIterable<Doc>, columns: string[], bom: boolean): Readable {
  const rows = Readable.from(
    (async function* () {
      for await (const d of docs) yield columns.map((c) => csvCell(d[c]));
    })(),
  );
  return rows.pipe(stringify({ header: true, columns, bom }));
}

/** Documents → one JSON array (json) or one object per line (jsonl). */
export function jsonStream(docs: AsyncIterable<Doc>, lines: boolean): Readable {
  return Readable.from(
    (async function* () {
      let first = true;
      if (!lines) yield '[';
      for await (const d of docs) {
        yield lines ? JSON.stringify(d) + '\n' : (first ? '\n' : ',\n') + JSON.stringify(d);
        first = false;
      }
      if (!lines) yield '\n]\n';
    })(),
  );
}

