/**
 * Annotations out and in from the editor, inside a real extension host with the real daemon: a detected dataset
 * exported as COCO (the format picked, the file chosen in a save dialog), then imported into a copy of its images as
 * trusted decisions (the file chosen in an open dialog, the reason asked), the import audited with that reason; a file
 * naming an image the dataset lacks is refused, naming it, with nothing imported. The regions a commit redacted,
 * exported as COCO ignore regions from the editor (in a file of their own, and added to a COCO label file), are what
 * `veil export --format coco --redactions [--merge]` writes for the same dataset and what .veil/redactions.json lists.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AnnotationsExportResult, AnnotationsImportResult, RedactionsExportResult } from '../../../daemon/protocol';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder, veilCli } from './hostHelpers';
import { answerPrompts, type PromptScript } from './promptAnswers';
import { spyOnErrors } from './windowSpies';

const IMAGES = { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'astronaut.jpg' };
const REASON = 'labels from our earlier review';

interface Coco {
  info?: { date_created?: string };
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{ id: number; image_id: number; category_id: number; bbox: number[]; iscrowd?: number; ignore?: number }>;
  categories: Array<{ id: number; name: string }>;
}
const readCoco = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Coco;
/** A COCO file less the moment it was written (`info.date_created`, in a file of its own only). */
function lessDate(coco: Coco): Coco {
  return coco.info ? { ...coco, info: { ...coco.info, date_created: undefined } } : coco;
}
/** Regions as [file, bbox], in one order whatever order they were listed in. */
const sorted = (regions: unknown[][]) => regions.map((region) => JSON.stringify(region)).sort();
/** A team's COCO label file: a person box on a.jpg, none on b.jpg, and d.jpg, an image added after the commit. */
const PERSON_LABELS: Coco = {
  images: [
    { id: 7, file_name: 'a.jpg', width: 512, height: 512 },
    { id: 9, file_name: 'b.jpg', width: 512, height: 512 },
    { id: 11, file_name: 'd.jpg', width: 512, height: 512 },
  ],
  annotations: [{ id: 3, image_id: 7, category_id: 1, bbox: [10, 20, 200, 400], iscrowd: 0 }],
  categories: [{ id: 1, name: 'person' }],
};

async function answered<T>(command: string, folder: string, script: PromptScript) {
  const prompts = answerPrompts(script);
  const errors = spyOnErrors();
  try {
    const result = await vscode.commands.executeCommand<T | undefined>(command, vscode.Uri.file(folder));
    return { result, errors: errors.messages, problems: prompts.problems, picks: prompts.picks };
  } finally {
    errors.restore();
    prompts.restore();
  }
}

export function annotationsSuite(): void {
  describe('annotations from the editor, in the VS Code extension host', () => {
    it(HOST_TESTS.annotationsFromEditor, async () => {
      const folder = scratchFolder('veil-annotations-', IMAGES);
      await detectFaces(folder);
      const out = join(mkdtempSync(join(tmpdir(), 'veil-export-')), 'faces.coco.json');
      const exported = await answered<AnnotationsExportResult>('veil.exportAnnotations', folder, { picks: ['COCO'], save: vscode.Uri.file(out) });
      assert.deepEqual([exported.errors, exported.problems], [[], []]);
      assert.deepEqual(exported.picks[0]?.items.map((item) => item.label), ['COCO', 'YOLO', 'Pascal VOC', 'Label Studio']);
      assert.equal(exported.result?.images, 2);
      const coco = JSON.parse(readFileSync(out, 'utf8')) as { annotations: unknown[] };
      assert.equal(coco.annotations.length, exported.result?.boxes);

      const copy = scratchFolder('veil-annotations-copy-', IMAGES);
      const imported = await answered<AnnotationsImportResult>('veil.importAnnotations', copy, { picks: ['COCO', 'As Decisions'], inputs: [REASON], open: vscode.Uri.file(out) });
      assert.deepEqual([imported.errors, imported.problems], [[], []]);
      assert.equal(imported.result?.imported, true);
      assert.equal(imported.result?.boxes, exported.result?.boxes);
      const audit = readFileSync(join(copy, '.veil', 'audit.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; reason?: string; trust?: boolean });
      assert.deepEqual(audit.filter((entry) => entry.type === 'annotations-import').map((entry) => [entry.trust, entry.reason]), [[true, REASON]]);

      const stranger = join(mkdtempSync(join(tmpdir(), 'veil-import-')), 'other.json');
      writeFileSync(stranger, JSON.stringify({ images: [{ id: 1, file_name: 'c.jpg', width: 512, height: 512 }], annotations: [], categories: [{ id: 1, name: 'face' }] }));
      const refused = await answered<AnnotationsImportResult>('veil.importAnnotations', copy, { picks: ['COCO', 'As Proposals'], open: vscode.Uri.file(stranger) });
      assert.equal(refused.result?.imported, false);
      assert.match(refused.errors[0] ?? '', /^Veil: nothing imported: 1 file\(s\) do not fit the dataset: c\.jpg: is no file of the dataset/);
    });

    it(HOST_TESTS.redactionsFromEditor, async () => {
      const folder = scratchFolder('veil-redactions-', IMAGES);
      await veilCli(['keygen', '--out', join(mkdtempSync(join(tmpdir(), 'veil-key-')), 'identity.txt'), '--add-to', folder]);
      await detectFaces(folder);
      await veilCli(['commit', folder, '--include-unreviewed', '--allow-possible-faces', '--reason', 'test fixture: model boxes as they are']);
      copyFileSync(join(folder, 'a.jpg'), join(folder, 'd.jpg'));
      const sidecar = JSON.parse(readFileSync(join(folder, '.veil', 'redactions.json'), 'utf8')) as { files: Array<{ file: string; regions: Array<{ x: number; y: number; w: number; h: number }> }> };
      const sidecarBoxes = sorted(sidecar.files.flatMap((file) => file.regions.map((region) => [file.file, [region.x, region.y, region.w, region.h]])));
      assert.deepEqual(sidecar.files.map((file) => file.file).sort(), Object.keys(IMAGES), 'the committed images are in the sidecar');
      const scratch = mkdtempSync(join(tmpdir(), 'veil-redactions-out-'));
      /** The CLI's export of the same dataset: its --json result and the file it wrote. */
      const cliExport = async (name: string, ...merge: string[]) => {
        const out = join(scratch, name);
        const { result } = JSON.parse(await veilCli(['export', folder, '--format', 'coco', '--redactions', ...merge, '--out', out, '--json'])) as { result: RedactionsExportResult };
        return { result, coco: readCoco(out) };
      };
      const ignoreBoxes = (coco: Coco) => {
        const names = new Map(coco.images.map((image) => [image.id, image.file_name]));
        return sorted(coco.annotations.filter((annotation) => annotation.iscrowd === 1 && annotation.ignore === 1).map((annotation) => [names.get(annotation.image_id), annotation.bbox]));
      };

      const own = join(scratch, 'own.coco.json');
      const alone = await answered<RedactionsExportResult>('veil.exportRedactions', folder, { picks: ['A File of Their Own'], save: vscode.Uri.file(own) });
      assert.deepEqual([alone.errors, alone.problems], [[], []]);
      assert.deepEqual(alone.picks[0]?.items.map((item) => item.label), ['A File of Their Own', 'Added to a COCO Label File…']);
      const cliAlone = await cliExport('cli-own.coco.json');
      assert.deepEqual({ ...alone.result, out: undefined }, { ...cliAlone.result, out: undefined }, 'the same counts and skipped files as the CLI');
      assert.equal(alone.result?.images, 2);
      assert.equal(alone.result?.regions, sidecarBoxes.length);
      assert.deepEqual(lessDate(readCoco(own)), lessDate(cliAlone.coco), 'the same file as the CLI writes, less its date');
      assert.deepEqual(ignoreBoxes(readCoco(own)), sidecarBoxes, 'every region .veil/redactions.json lists, as an ignore region of its image');

      const labels = join(scratch, 'labels.json');
      writeFileSync(labels, JSON.stringify(PERSON_LABELS));
      const mergedOut = join(scratch, 'labels.with-redactions.json');
      const merged = await answered<RedactionsExportResult>('veil.exportRedactions', folder, { picks: ['Added to a COCO Label File'], open: vscode.Uri.file(labels), save: vscode.Uri.file(mergedOut) });
      assert.deepEqual([merged.errors, merged.problems], [[], []]);
      const cliMerged = await cliExport('cli-merged.json', '--merge', labels);
      assert.deepEqual({ ...merged.result, out: undefined }, { ...cliMerged.result, out: undefined }, 'the same counts and skipped files as the CLI');
      assert.deepEqual(merged.result?.skipped.map((file) => file.file), ['d.jpg'], 'the label image not committed is left out, named');
      const mergedCoco = readCoco(mergedOut);
      assert.deepEqual(mergedCoco, cliMerged.coco, 'the same file as the CLI writes');
      assert.deepEqual(mergedCoco.images, PERSON_LABELS.images, "the label file's images and ids kept");
      assert.deepEqual(mergedCoco.annotations[0], PERSON_LABELS.annotations[0], "the label file's annotation kept");
      assert.deepEqual(ignoreBoxes(mergedCoco), sidecarBoxes, 'every region .veil/redactions.json lists, added to its image');
    });
  });
}
