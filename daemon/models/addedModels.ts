/** `<home>/models/added.json`: models a user added from local files, with the hash recorded when added. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, isRecord, type ModelDecoder } from '../protocol';
import { VeilError } from '../errors';
import { writeAtomically } from './files';

export interface AddedModel {
  name: string;
  decoder: ModelDecoder;
  /** File name inside `<home>/models/added/`. */
  file: string;
  sha256: string;
  addedAt: string;
}

function isAddedModel(value: unknown): value is AddedModel {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    (value.decoder === 'blazeface' || value.decoder === 'yunet') &&
    typeof value.file === 'string' &&
    typeof value.sha256 === 'string' &&
    typeof value.addedAt === 'string'
  );
}

export class AddedModels {
  readonly path: string;
  constructor(modelsDir: string) {
    this.path = join(modelsDir, 'added.json');
  }

  async read(): Promise<AddedModel[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new VeilError(ErrorCode.Unreadable, `cannot read ${this.path}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new VeilError(ErrorCode.Corrupt, `${this.path} is not valid JSON`);
    }
    if (!isRecord(parsed) || !Array.isArray(parsed.models) || !parsed.models.every(isAddedModel)) {
      throw new VeilError(ErrorCode.Corrupt, `${this.path} does not list added models in the expected shape`);
    }
    return parsed.models;
  }

  /** Records `model`, replacing any earlier record with the same name. */
  async record(model: AddedModel): Promise<void> {
    const models = [...(await this.read()).filter((m) => m.name !== model.name), model];
    await writeAtomically(this.path, (temp) => writeFile(temp, JSON.stringify({ models }, null, 2) + '\n'));
  }
}
