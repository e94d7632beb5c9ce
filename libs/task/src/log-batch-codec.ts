/**
 * A stored log batch keeps its lines packed in one string (`packed`): JSON of parallel arrays
 * (ms timestamps, a stream letter per line, texts); seqs are implied by `from`..`to`. Why: FerretDB
 * stores a type entry for every array element and every field, and decodes them all on each
 * read, so 1000 line objects cost several times their text; one string costs its length. A
 * page read decodes one or two batches, so this is most of its time.
 */
export type LogLineValue = { seq: number; ts: Date; stream: string; text: string };
type Packed = { ts: number[]; s: string; t: string[] };

export function packLines(lines: LogLineValue[]): string {
  const p: Packed = { ts: lines.map((l) => new Date(l.ts).getTime()), s: lines.map((l) => (l.stream === 'stderr' ? 'e' : 'o')).join(''), t: lines.map((l) => l.text) };
  return JSON.stringify(p);
}

/** The lines of a stored batch: packed (this layout) or `lines` objects (batches stored before it). */
export function unpackLines(doc: { from: number; packed?: string; lines?: LogLineValue[] }): LogLineValue[] {
  if (doc.packed === undefined) return doc.lines ?? [];
  const p = JSON.parse(doc.packed) as Packed;
  return p.t.map((text, i) => ({ seq: doc.from + i, ts: new Date(p.ts[i]), stream: p.s[i] === 'e' ? 'stderr' : 'stdout', text }));
}
