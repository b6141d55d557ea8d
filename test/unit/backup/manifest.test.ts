/** The backup manifest's line format: names a shell's `read` would break or trim survive it, and an incomplete manifest is refused. */
import * as assert from 'node:assert/strict';
import { ErrorCode } from '../../../daemon/protocol';
import { VeilError } from '../../../daemon/errors';
import { formatManifest, parseManifest, type Manifest } from '../../../daemon/backup/manifest';

const SHA = (digit: string) => digit.repeat(64);

function manifest(files: string[]): Manifest {
  return {
    datasetId: '0123456789abcdef',
    root: '/data/my dataset',
    generation: 3,
    createdAt: '2026-11-30T00:00:00.000Z',
    covers: { entries: 12, head: SHA('a') },
    parts: files.map((path) => ({ kind: 'sealed' as const, blob: SHA('b'), sha256: SHA('c'), bytes: 10, path })),
    originals: files.map((file) => ({ vaultObject: SHA('d'), file })),
  };
}

describe('backup manifest', () => {
  it('keeps every name through a line a shell reads: spaces inside, a leading or trailing space, %, a newline', () => {
    const names = ['a b/c d.jpg', ' lead.jpg', 'trail.jpg ', '100%.jpg', 'new\nline.jpg', 'tab\there.png'];
    const text = formatManifest(manifest(names));
    assert.equal(text.split('\n').length, 5 + names.length * 2 + 2, 'one line per record, whatever the names');
    assert.ok(text.includes('sealed ' + SHA('b') + ' ' + SHA('c') + ' 10 a b/c d.jpg\n'), 'a space inside a name is written as it is');
    assert.ok(text.includes(' %20lead.jpg\n') && text.includes(' trail.jpg%20\n') && text.includes(' 100%25.jpg\n') && text.includes(' new%0Aline.jpg\n'));
    assert.deepEqual(parseManifest(text, 'm'), manifest(names));
  });

  it('refuses a manifest cut short, or with a record it does not know, naming the line', () => {
    const lines = formatManifest(manifest(['a.jpg', 'b.jpg'])).split('\n');
    const refusal = (text: string) => {
      try {
        parseManifest(text, '000003.age');
      } catch (error) {
        assert.ok(VeilError.is(error) && error.code === ErrorCode.Corrupt);
        return error.message;
      }
      return assert.fail('accepted');
    };
    assert.match(refusal([...lines.slice(0, 6), lines.at(-2)!, ''].join('\n')), /line 7: the record count differs: the manifest is incomplete/);
    assert.match(refusal([...lines.slice(0, 5), 'deleted x y', ...lines.slice(5)].join('\n')), /line 6: unknown record "deleted"/);
  });
});
