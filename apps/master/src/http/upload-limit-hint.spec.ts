import { BadInputError, PayloadTooLargeError } from '@crawlnest/node';
import { withUploadLimitHint } from './upload-limit-hint';

describe('withUploadLimitHint', () => {
  it.each([
    ['archive is larger than 4096 bytes', 'CRAWLNEST_MAX_UPLOAD_BYTES'],
    ['more than 100 bytes in total', 'CRAWLNEST_MAX_TREE_BYTES'],
    ['more than 5 files', 'CRAWLNEST_MAX_TREE_FILES'],
  ])('%s names %s and .crawlnestignore', (msg, setting) => {
    const out = withUploadLimitHint(new PayloadTooLargeError(msg)) as Error;
    expect(out).toBeInstanceOf(PayloadTooLargeError);
    expect(out.message).toContain(msg);
    expect(out.message).toContain(setting);
    expect(out.message).toContain('.crawlnestignore');
    expect((withUploadLimitHint(out) as Error).message).toBe(out.message);
  });

  it('leaves other errors alone', () => {
    const e = new BadInputError('nope');
    expect(withUploadLimitHint(e)).toBe(e);
  });
});
