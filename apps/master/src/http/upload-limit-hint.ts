import { PayloadTooLargeError } from '@crawlnest/node';

/** Which master setting raises each upload limit (the messages come from the sync lib). */
const SETTINGS: [RegExp, string][] = [
  [/larger than \d+ bytes/, 'CRAWLNEST_MAX_UPLOAD_BYTES'],
  [/bytes in total/, 'CRAWLNEST_MAX_TREE_BYTES'],
  [/more than \d+ files/, 'CRAWLNEST_MAX_TREE_FILES'],
];

/**
 * A 413 that tells the user what to do: the setting that raises the limit on the master, or
 * leaving files out with .crawlnestignore. Other errors pass through unchanged.
 */
export function withUploadLimitHint(err: unknown): unknown {
  if (!(err instanceof PayloadTooLargeError) || err.message.includes('.crawlnestignore')) return err;
  const setting = SETTINGS.find(([re]) => re.test(err.message))?.[1] ?? 'CRAWLNEST_MAX_UPLOAD_BYTES';
  return new PayloadTooLargeError(`${err.message} (raise ${setting} on the master, or leave files out with .crawlnestignore)`);
}
