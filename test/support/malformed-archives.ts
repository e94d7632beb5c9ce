import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';

export type TarEntry = { name: string; content?: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string };

export async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type && e.type !== 'file') pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else pack.entry({ name: e.name, mode: 0o644 }, e.content ?? '');
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return gzipSync(Buffer.concat(parts));
}

/**
 * A zip whose entry names may be ones yazl refuses to write (`../x`, `/etc/x`, `a\b`):
 * each is written under a same-length placeholder, then the placeholder's bytes are
 * replaced in the local and central headers (names are outside the CRC, so the archive
 * stays well-formed).
 */
export async function zipWithNames(entries: { name: string; content: string; mode?: number }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  const swaps: [Buffer, Buffer][] = [];
  entries.forEach((e, i) => {
    const wanted = Buffer.from(e.name, 'latin1');
    const placeholder = Buffer.from(`Z${i}`.padEnd(wanted.length, 'q').slice(0, Math.max(wanted.length, 2)), 'latin1');
    if (placeholder.length !== wanted.length) throw new Error(`zip entry name too short to swap: ${e.name}`);
    swaps.push([placeholder, wanted]);
    z.addBuffer(Buffer.from(e.content), placeholder.toString('latin1'), { mode: e.mode ?? 0o100644 });
  });
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  const zip = Buffer.concat(parts);
  for (const [from, to] of swaps) {
    let at = zip.indexOf(from);
    let n = 0;
    while (at >= 0) {
      to.copy(zip, at);
      n++;
      at = zip.indexOf(from, at + from.length);
    }
    if (n !== 2) throw new Error(`zip entry ${to.toString('latin1')}: expected 2 header copies, found ${n}`);
  }
  return zip;
}

export type MultipartPart = { filename: string; content: string | Buffer };

/** A multipart/form-data body written by hand, so file names are sent exactly as given. */
export function multipart(parts: MultipartPart[], boundary = 'fuzzboundary7MA4YWxkTrZu0gW'): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${p.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        'latin1',
      ),
      Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}
