import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MASK_SHAPES, REDACTION_MODES } from '../../../daemon/protocol';
import { REPO_ROOT } from '../../support/paths';

interface SettingSchema {
  enum?: unknown[];
  default?: unknown;
}

function setting(name: string): SettingSchema {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const configuration = manifest.contributes.configuration;
  const sections: Array<{ properties: Record<string, SettingSchema> }> = Array.isArray(configuration) ? configuration : [configuration];
  const found = sections.map((section) => section.properties[name]).find((schema) => schema !== undefined);
  assert.ok(found, `package.json contributes the setting ${name}`);
  return found;
}

describe('enumerations of the RPC contract', () => {
  it('the settings offer exactly the contract\'s redaction modes and mask shapes, in its order', () => {
    const mode = setting('veil.redaction.mode');
    assert.deepEqual(mode.enum, [...REDACTION_MODES]);
    assert.ok(REDACTION_MODES.includes(mode.default as never));
    const shape = setting('veil.redaction.shape');
    assert.deepEqual(shape.enum, [...MASK_SHAPES]);
    assert.ok(MASK_SHAPES.includes(shape.default as never));
  });
});
