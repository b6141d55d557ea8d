import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../../daemon/protocol';
import { presentDaemonState, protocolMismatch, refusalReason, type DaemonState } from '../../../extension/daemonState';
import { RestartBudget } from '../../../extension/restartBudget';

const EVERY_STATE: DaemonState[] = [
  { kind: 'stopped' },
  { kind: 'stopped', reason: 'The Veil daemon crashed or failed to start 5 times in 3 minutes and was stopped.' },
  { kind: 'starting' },
  { kind: 'running', pid: 4242, defaultModel: 'yunet' },
  { kind: 'startFailed', cause: 'cannot read /home/x/models/added.json: ENOTDIR', retry: true },
  { kind: 'startFailed', cause: 'the daemon speaks protocol version 2', retry: false },
  { kind: 'stopping' },
];

describe('daemon states in the status bar', () => {
  it('shows a failed start as "start failed" with its cause, in the error colours, never as starting', () => {
    const shown = presentDaemonState({ kind: 'startFailed', cause: 'cannot read /home/x/models/added.json: ENOTDIR', retry: true });
    assert.equal(shown.text, '$(error) Veil: start failed');
    assert.equal(shown.icon, 'error');
    assert.match(shown.tooltip, /failed to start: cannot read \/home\/x\/models\/added\.json: ENOTDIR/);
    assert.match(shown.tooltip, /next Veil command tries again/);
    assert.equal(shown.error, true);
    assert.doesNotMatch(shown.text, /spin/);
  });

  it('tells how to get going again when a failed start is not retried by itself', () => {
    const shown = presentDaemonState({ kind: 'startFailed', cause: 'protocol mismatch', retry: false });
    assert.match(shown.tooltip, /Restart Daemon/);
    assert.doesNotMatch(shown.tooltip, /tries again/);
  });

  it('gives each state its own text, the codicon it names, and a tooltip that says a click shows the log', () => {
    const shown = EVERY_STATE.map(presentDaemonState);
    for (const [i, look] of shown.entries()) {
      assert.ok(look.text.startsWith(`$(${look.icon}) `), `${EVERY_STATE[i].kind}: ${look.text}`);
      assert.match(look.tooltip, /click to show the log$/, EVERY_STATE[i].kind);
    }
    assert.deepEqual(
      shown.map((look) => look.text),
      ['$(shield) Veil', '$(error) Veil: stopped', '$(loading~spin) Veil: starting', '$(shield) Veil', '$(error) Veil: start failed', '$(error) Veil: start failed', '$(loading~spin) Veil: stopping'],
    );
    assert.match(shown[3].tooltip, /running \(pid 4242\), default model yunet/);
    assert.deepEqual(
      shown.map((look) => look.error),
      [false, true, false, false, true, true, false],
    );
  });

  it('refuses requests only where starting again cannot help until a person restarts the daemon', () => {
    const refused = EVERY_STATE.map((state) => refusalReason(state) !== undefined);
    assert.deepEqual(refused, [false, true, false, false, false, true, false]);
    assert.match(refusalReason(EVERY_STATE[5]) ?? '', /failed to start: the daemon speaks protocol version 2.*Restart Daemon/);
  });
});

describe('protocol version check', () => {
  it('accepts a daemon of this protocol version and names both versions otherwise', () => {
    assert.equal(protocolMismatch(PROTOCOL_VERSION), undefined);
    assert.match(protocolMismatch(PROTOCOL_VERSION + 1) ?? '', new RegExp(`version ${PROTOCOL_VERSION + 1}, this extension speaks version ${PROTOCOL_VERSION}`));
    assert.match(protocolMismatch(undefined) ?? '', /version undefined/);
    assert.notEqual(protocolMismatch('1'), undefined, 'a version sent as a string is another protocol');
  });
});

describe('restart budget', () => {
  it('allows 4 restarts in 3 minutes, refuses the 5th, and allows again once the oldest failure is older than that', () => {
    let now = 0;
    const budget = new RestartBudget(4, 180_000, () => now);
    for (let i = 0; i < 4; i++) {
      now += 1000;
      assert.equal(budget.spend(), true, `failure ${i + 1}`);
    }
    now += 1000;
    assert.equal(budget.spend(), false);
    assert.equal(budget.spent, 5);
    now = 1000 + 180_001; // the first failure left the window
    assert.equal(budget.spend(), false, 'still 5 within the window (2nd to 5th, and this one)');
    now = 5000 + 180_001; // the first five failures left the window
    assert.equal(budget.spend(), true);
  });

  it('starts counting again after a restart a person asked for', () => {
    const budget = new RestartBudget(4, 180_000, () => 0);
    for (let i = 0; i < 5; i++) budget.spend();
    budget.reset();
    assert.equal(budget.spend(), true);
    assert.equal(budget.spent, 1);
  });
});
