import { createTwoFilesPatch } from 'diff';

/** Files at or above this size get no text diff (the diff would be slow and unreadable). */
export const TEXT_DIFF_MAX_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The content as text when it is text: valid UTF-8 without NUL bytes; otherwise null. */
export function asText(content: Buffer): string | null {
  if (content.includes(0)) return null;
  try {
    return utf8.decode(content);
  } catch {
    return null; // not UTF-8: binary for our purpose
  }
}

/**
 * Pure: a unified diff (`--- a/path`, `+++ b/path`, hunks with 3 lines of context) of two
 * versions of one file, or undefined when either side is binary or too large.
 */
export function unifiedTextDiff(path: string, from: Buffer, to: Buffer, fromLabel: string, toLabel: string): string | undefined {
  if (from.length >= TEXT_DIFF_MAX_BYTES || to.length >= TEXT_DIFF_MAX_BYTES) return undefined;
  const a = asText(from);
  const b = asText(to);
  if (a === null || b === null) return undefined;
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, a, b, fromLabel, toLabel);
}
