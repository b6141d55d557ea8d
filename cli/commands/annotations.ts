/**
 * `veil export <dir> --format F` and `veil import <dir> --format F FILE`: face boxes out to, and in from, the label
 * formats ML pipelines use (README "Annotations in and out"). Both go through the daemon (`annotations/export`,
 * `annotations/import`); an import is checked whole first and applied all or nothing, audited before it counts.
 */
import { resolve } from 'node:path';
import { ANNOTATION_FORMATS, BOX_STATES, DEFAULT_EXPORT_STATES, type AnnotationFormat, type AnnotationsExportResult, type AnnotationsImportResult, type BoxState } from '../../daemon/protocol';
import { enumOption, onePositional, parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { printCheckpoint } from '../checkpoint';
import { EXIT } from '../exitCodes';
import { printFileList } from '../table';

const FORMATS = ANNOTATION_FORMATS.join('|');
const EXPORT_USAGE = `veil export <dir> --format ${FORMATS} [--out PATH] [--states ${DEFAULT_EXPORT_STATES.join(',')}]`;
const REDACTIONS_USAGE = 'veil export <dir> --format coco --redactions [--merge LABELS.json] [--out PATH]';
const IMPORT_USAGE = `veil import <dir> --format ${FORMATS} <file or folder> [--labels face,…] [--trust --reason TEXT]`;

function format(value: string | undefined, usage: string): AnnotationFormat {
  const chosen = enumOption(value, ANNOTATION_FORMATS, 'format');
  if (!chosen) throw new UsageError(`--format is required\nusage: ${usage}`);
  return chosen;
}

function list(value: string | undefined): string[] | undefined {
  return value?.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function printExport(io: CliIO, result: AnnotationsExportResult): void {
  io.stdout(`${result.format}: ${result.boxes} box(es) of ${result.images} image(s) written to ${result.out}`);
  for (const lost of result.lost) io.stdout(`not in this format: ${lost}`);
  printFileList(io.stdout, `${result.skipped.length} file(s) not exported:`, result.skipped);
}

/** `--redactions`: the regions committed images had redacted, as COCO ignore regions (`redactions/export`; README "Redaction sidecar for training"). */
async function exportRedactions(root: string, values: { format?: string; out?: string; states?: string; redactions?: boolean; merge?: string }, io: CliIO): Promise<number> {
  if (!values.redactions) throw new UsageError(`--merge goes with --redactions\nusage: ${REDACTIONS_USAGE}`);
  if (format(values.format, REDACTIONS_USAGE) !== 'coco' || values.states !== undefined) throw new UsageError(`--redactions writes COCO ignore regions: --format coco, without --states\nusage: ${REDACTIONS_USAGE}`);
  const params = { root, out: values.out === undefined ? undefined : resolve(io.cwd, values.out), merge: values.merge === undefined ? undefined : resolve(io.cwd, values.merge) };
  const result = await withDaemon(io, (client) => client.request('redactions/export', params));
  io.result(result);
  io.stdout(`coco: ${result.regions} redacted region(s) of ${result.images} image(s) written to ${result.out} as ignore regions (iscrowd 1, ignore 1)`);
  printFileList(io.stdout, `${result.skipped.length} file(s) without regions:`, result.skipped);
  return EXIT.ok;
}

export const exportAnnotations = {
  async run(argv: string[], io: CliIO): Promise<number> {
    const options = { format: { type: 'string' }, out: { type: 'string' }, states: { type: 'string' }, redactions: { type: 'boolean' }, merge: { type: 'string' } } as const;
    const { values, positionals } = parseCommandArgs(argv, options, `${EXPORT_USAGE}\n       ${REDACTIONS_USAGE}`);
    const root = resolve(io.cwd, onePositional(positionals, 'dataset folder', EXPORT_USAGE));
    if (values.redactions || values.merge !== undefined) return exportRedactions(root, values, io);
    const states = list(values.states)?.map((state) => enumOption(state, BOX_STATES, 'states') as BoxState);
    const params = { root, format: format(values.format, EXPORT_USAGE), out: values.out === undefined ? undefined : resolve(io.cwd, values.out), states };
    const result = await withDaemon(io, (client) => client.request('annotations/export', params));
    io.result(result);
    printExport(io, result);
    return EXIT.ok;
  },
};

function printImport(io: CliIO, result: AnnotationsImportResult): void {
  if (!result.imported) {
    printFileList(io.stderr, `nothing imported: ${result.problems.length} file(s) do not fit the dataset:`, result.problems);
    return;
  }
  io.stdout(`${result.boxes} box(es) imported on ${result.images} image(s); ${result.sameFace} left out (a decided box, drawn or decided by a person or imported before, lies on the same face)`);
  if (result.otherLabels > 0) io.stdout(`${result.otherLabels} box(es) under other labels than faces were not imported (--labels names the face labels)`);
  printCheckpoint(io, result.checkpoint);
}

export const importAnnotations = {
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { format: { type: 'string' }, labels: { type: 'string' }, trust: { type: 'boolean' }, reason: { type: 'string' } },
      IMPORT_USAGE,
    );
    const [dir, file, ...rest] = positionals;
    if (!dir || !file || rest.length > 0) throw new UsageError(`expected a dataset folder and one annotation file or folder\nusage: ${IMPORT_USAGE}`);
    if (values.trust && !values.reason?.trim()) throw new UsageError(`--trust needs --reason: say why the file's decisions are taken as they are\nusage: ${IMPORT_USAGE}`);
    const params = { root: resolve(io.cwd, dir), format: format(values.format, IMPORT_USAGE), file: resolve(io.cwd, file), labels: list(values.labels), trust: values.trust, reason: values.reason };
    const result = await withDaemon(io, (client) => client.request('annotations/import', params));
    io.result(result);
    printImport(io, result);
    return result.imported ? EXIT.ok : EXIT.failed;
  },
};
