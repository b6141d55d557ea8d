/** The VeilError a promise is refused with: fails the test when it resolves, or rejects with anything else. */
import { strict as assert } from 'node:assert';
import { VeilError } from '../../daemon/errors';

export async function refusal(work: Promise<unknown>): Promise<VeilError> {
  return work.then(
    () => assert.fail('expected a refusal'),
    (error: unknown) => {
      assert.ok(VeilError.is(error), `expected a VeilError, got ${String(error)}`);
      return error;
    },
  );
}
