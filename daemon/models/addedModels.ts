/** `<home>/models/added.json`: models a user added from local files, with the hash recorded when added. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_DECODERS, type ModelDecoder } from '../protocol';
import { arrayOf, object, oneOf, parseChecked, sha256, text, type Check } from '../storage/checks';
import { writeAtomically } from './files';
import { readStateTextIfPresent } from '../storage/stateFile';

export interface AddedModel {
  name: string;
  decoder: ModelDecoder;
  /** File name inside `<home>/models/added/`. */
  file: string;
  sha256: string;
  addedAt: string;
}

/** A plain file name: a hand-edited record must not point outside `added/`. */
const fileName: Check = (value) => (typeof value === 'string' && /^[^/\\]+$/.test(value) && value !== '..' && value !== '.' ? undefined : ': expected a file name inside added/');
const addedModelsProblem = object({ models: arrayOf(object({ name: text, decoder: oneOf(MODEL_DECODERS), file: fileName, sha256, addedAt: text })) });

export class AddedModels {
  readonly path: string;
  constructor(modelsDir: string) {
    this.path = join(modelsDir, 'added.json');
  }

  async read(): Promise<AddedModel[]> {
    const text = await readStateTextIfPresent(this.path, this.path, 'the list of added models');
    if (text === undefined) return [];
    return parseChecked<{ models: AddedModel[] }>(text, addedModelsProblem, 'list of added models', this.path).models;
  }

  /** Records `model`, replacing any earlier record with the same name. */
  async record(model: AddedModel): Promise<void> {
    const models = [...(await this.read()).filter((m) => m.name !== model.name), model];
    await writeAtomically(this.path, (temp) => writeFile(temp, JSON.stringify({ models }, null, 2) + '\n'));
  }
}
