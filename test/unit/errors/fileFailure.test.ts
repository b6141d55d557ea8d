import assert from 'node:assert/strict';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError, fileFailure } from '../../../daemon/errors';

describe('per-file failures (one funnel for detection, review and commit)', () => {
  it('carries the cause only: the file is named by the failure, never again in its message', () => {
    const failure = fileFailure('a.jpg', new VeilError(ErrorCode.BadImage, 'not a readable image (truncated)', 'a.jpg'));
    assert.deepEqual(failure, { file: 'a.jpg', code: ErrorCode.BadImage, message: 'not a readable image (truncated)' });
  });

  it('keeps the name of another file the error is about (journal, vault, recipients)', () => {
    const failure = fileFailure('a.jpg', new VeilError(ErrorCode.KeyError, 'cannot read recipients (EISDIR)', '.veil/recipients.txt'));
    assert.equal(failure.message, '.veil/recipients.txt: cannot read recipients (EISDIR)');
    assert.equal(failure.code, ErrorCode.KeyError);
  });

  it('gives an unexpected error the internal code and its message', () => {
    assert.deepEqual(fileFailure('b.png', new TypeError('x is undefined')), { file: 'b.png', code: ErrorCode.Internal, message: 'x is undefined' });
  });
});
