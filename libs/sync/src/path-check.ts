import { BadInputError } from '@crawlnest/node';

export const MAX_PATH_LENGTH = 1024;

/**
 * Why a spider-relative path is unacceptable, or null when it is fine. Paths are untrusted
 * input (seed 001): checked on upload and again on the worker before it writes.
 */
export function pathProblem(p: string): string | null {
  if (p.length === 0) return 'empty path';
  if (p.length > MAX_PATH_LENGTH) return `longer than ${MAX_PATH_LENGTH} characters`;
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.includes('\\')) return 'contains a backslash';
  if (p.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(p)) return 'is absolute (drive letter)';
  const segments = p.split('/');
  for (const s of segments) {
    if (s === '..') return "holds a '..' segment";
    if (s === '.') return "holds a '.' segment";
    if (s === '') return 'holds an empty segment';
  }
  return null;
}

/** Throws a 400-mapped error naming the path when it is unacceptable. */
export function assertSafePath(p: string, what = 'path'): string {
  const problem = pathProblem(p);
  if (problem) throw new BadInputError(`${what} ${JSON.stringify(p)} ${problem}`);
  return p;
}

/** Strips one leading "./" that archive tools like to add; anything else stays as given. */
export function normalizeEntryName(name: string): string {
  return name.startsWith('./') ? name.slice(2) : name;
}
