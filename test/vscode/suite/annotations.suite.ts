/**
 * Annotations out and in from the editor, inside a real extension host with the real daemon: a detected dataset
 * exported as COCO (the format picked, the file chosen in a save dialog), then imported into a copy of its images as
 * trusted decisions (the file chosen in an open dialog, the reason asked), the import audited with that reason; a file
 * naming an image the dataset lacks is refused, naming it, with nothing imported.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AnnotationsExportResult, AnnotationsImportResult } from '../../../daemon/protocol';
import { HOST_TESTS } from './hostContract';
import { detectFaces, scratchFolder } from './hostHelpers';
import { answerPrompts, type PromptScript } from './promptAnswers';
import { spyOnErrors } from './windowSpies';

const IMAGES = { 'a.jpg': 'astronaut.jpg', 'b.jpg': 'astronaut.jpg' };
const REASON = 'labels from our earlier review';

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
  });
}
