import path from 'node:path';
import type { Dataset } from './definition.js';

/** A secret file is named absolutely (a mounted Key Vault secret) or beside the definition. */
export const secretPath = (dataset: Pick<Dataset, 'file'>, file: string): string =>
  path.resolve(path.dirname(dataset.file), file);
