/**
 * The mocha hooks of a suite that drives one workbench on a fresh copy of samples/ (dark theme): opened before the
 * suite (after `prepare` has changed the copy), a screenshot of each failed test, closed and removed after it.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../../support/paths';
import { copySamples } from './sampleWorkspace';
import type { Workbench } from './workbench';
import { fromCheckout, useWorkbench } from './workbenchFixture';

export interface SamplesWorkbench {
  workbench(): Workbench;
  /** The copy of samples/ the window has open. */
  workspace(): string;
  /** The suite's scratch folder: it holds the copy and the window's Veil home (removed after the suite). */
  scratch(): string;
}

export interface SamplesOptions {
  /** Changes the copy before the window opens it. */
  prepare?: (workspace: string) => Promise<unknown>;
  /** Veil settings of the window (its Veil home is set already). */
  settings?: Record<string, unknown>;
}

/**
 * A Veil home of its own in `scratch` with YuNet installed (from ../shared): no better-model offer pops up over a
 * journey (its buttons took the focus the Explorer's context menu needs; the offer has its own host test).
 */
export function veilHomeWithYunet(scratch: string): string {
  const home = join(scratch, 'veil-home');
  const yunet = join(SHARED, 'models', 'yunet_n_dynamic.onnx');
  mkdirSync(join(home, 'models'), { recursive: true });
  if (existsSync(yunet)) copyFileSync(yunet, join(home, 'models', 'yunet_n_dynamic.onnx'));
  return home;
}

export function useSamplesWorkbench(failedPrefix: string, options: SamplesOptions = {}): SamplesWorkbench {
  const fixture = useWorkbench(failedPrefix, async (scratch) => {
    const workspace = copySamples(scratch);
    await options.prepare?.(workspace);
    return fromCheckout(workspace, 'Default Dark Modern', { 'veil.daemon.home': veilHomeWithYunet(scratch), ...options.settings });
  });
  // copySamples puts the copy there.
  return { ...fixture, workspace: () => join(fixture.scratch(), 'samples') };
}
