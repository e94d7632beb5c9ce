import { asText, TEXT_DIFF_MAX_BYTES, unifiedTextDiff } from './text-diff';

describe('unifiedTextDiff', () => {
  it('gives a unified diff of two texts', () => {
    const d = unifiedTextDiff('run.sh', Buffer.from('echo one\nkeep\n'), Buffer.from('echo two\nkeep\n'), 'version 1', 'version 2');
    expect(d).toContain('--- a/run.sh\tversion 1');
    expect(d).toContain('+++ b/run.sh\tversion 2');
    expect(d).toContain('-echo one');
    expect(d).toContain('+echo two');
    expect(d).toContain(' keep');
  });

  it('gives none for binary or large content', () => {
    expect(unifiedTextDiff('x', Buffer.from([0, 1, 2]), Buffer.from('a'), '1', '2')).toBeUndefined();
    expect(unifiedTextDiff('x', Buffer.from([0xff, 0xfe]), Buffer.from('a'), '1', '2')).toBeUndefined();
    expect(unifiedTextDiff('x', Buffer.alloc(TEXT_DIFF_MAX_BYTES, 97), Buffer.from('a'), '1', '2')).toBeUndefined();
  });

  it('asText accepts UTF-8 text, refuses NUL and invalid bytes', () => {
    expect(asText(Buffer.from('héllo'))).toBe('héllo');
    expect(asText(Buffer.from([104, 0]))).toBeNull();
    expect(asText(Buffer.from([0xc3]))).toBeNull();
  });
});
