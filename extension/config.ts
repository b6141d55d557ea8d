/** Veil's settings (`veil.*`), read in one place. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_DOUBT_MARGIN, DEFAULT_MARGIN, MASK_SHAPES, REDACTION_MODES, isOneOf, type SessionConfigureParams } from '../daemon/protocol';
import type { RedactionSettings } from '../webview/protocol';

export interface DetectionSettings {
  model: string | undefined;
  threshold: number | undefined;
  thorough: boolean;
  /** Videos: the detector on every n-th frame. */
  videoStride: number;
}

function section() {
  return vscode.workspace.getConfiguration('veil');
}

/** A setting's value when it is one of `values` (settings.json may hold anything), else `fallback`. */
function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return isOneOf(values, value) ? value : fallback;
}

export function redactionSettings(): RedactionSettings {
  const config = section();
  return {
    mode: oneOf(REDACTION_MODES, config.get('redaction.mode'), 'fill'),
    margin: config.get<number>('redaction.margin', DEFAULT_MARGIN),
    doubtMargin: config.get<number>('redaction.doubtMargin', DEFAULT_DOUBT_MARGIN),
    shape: oneOf(MASK_SHAPES, config.get('redaction.shape'), 'rect'),
    lowConfidence: config.get<number>('review.lowConfidence', 0.6),
  };
}

export function detectionSettings(): DetectionSettings {
  const config = section();
  const model = config.get<string>('detection.model', '');
  const threshold = config.get<number | null>('detection.threshold', null);
  return { model: model || undefined, threshold: threshold ?? undefined, thorough: config.get<boolean>('detection.thorough', false), videoStride: config.get<number>('detection.videoStride', 2) };
}

/** Videos keep their audio streams when committed (`veil.redaction.keepAudio`). */
export function keepAudio(): boolean {
  return section().get<boolean>('redaction.keepAudio', false);
}

export function reviewerName(): string | undefined {
  return section().get<string>('review.reviewerName', '') || undefined;
}

/** Settings the daemon applies at once (`session/configure`): sent after every start and on every change. */
export const SESSION_SETTINGS = ['veil.review.reviewerName'];

export function sessionSettings(): SessionConfigureParams {
  return { reviewer: reviewerName() };
}

/** Settings the daemon reads at start: changing them needs a daemon restart. */
export const RESTART_SETTINGS = ['veil.daemon.maxPixels', 'veil.daemon.home'];

export function daemonEnvironment(): NodeJS.ProcessEnv {
  const config = section();
  const env: NodeJS.ProcessEnv = {};
  const maxPixels = config.get<number>('daemon.maxPixels', 0);
  if (maxPixels > 0) env.VEIL_MAX_PIXELS = String(maxPixels);
  const home = config.get<string>('daemon.home', '');
  if (home) env.VEIL_HOME = home;
  return env;
}

/**
 * The signing key (`veil.signing.keyFile`, as the CLI's VEIL_SIGNING_KEY or `--sign`) that commits from the editor end
 * with a signed audit checkpoint, and that "Sign Audit Checkpoint" uses; undefined when unset. `~/` is the home folder;
 * any other path must be absolute (the daemon takes absolute paths only, and the editor has no working folder).
 */
export function signingKeyFile(): string | undefined {
  const setting = section().get<string>('signing.keyFile', '').trim();
  if (!setting) return undefined;
  const path = setting === '~' || setting.startsWith('~/') ? join(homedir(), setting.slice(1)) : setting;
  if (!isAbsolute(path)) throw new Error(`the setting veil.signing.keyFile must be an absolute path or start with ~/ (it is "${setting}")`);
  return path;
}

/** Veil's home folder as the daemon sees it (`veil.daemon.home`, else ~/.veil): where `veil keygen` puts a key by default. */
export function veilHome(): string {
  return daemonEnvironment().VEIL_HOME ?? join(homedir(), '.veil');
}
