import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { messageOf, OdpError } from '../errors.js';
import { definitionProblems } from './compile.js';
import { type Dataset, DatasetSchema, type Source } from './definition.js';
import { secretPath } from './secrets.js';
import { sheetIn, workbookSheets } from './workbook.js';

/** Reads one dataset file; a bad file is refused with the file, the field path and the reason. */
export async function loadDataset(file: string): Promise<Dataset> {
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new OdpError(
      'dataset-invalid',
      `${file}: not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const parsed = DatasetSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`,
    );
    throw new OdpError('dataset-invalid', `${file}: invalid dataset definition:\n${problems.join('\n')}`, {
      details: { file },
    });
  }
  const compiled = await definitionProblems(parsed.data);
  if (compiled.length > 0) {
    const problems = compiled.map((p) => `  ${p.path.join('.')}: ${p.message}`);
    throw new OdpError('dataset-invalid', `${file}: invalid dataset definition:\n${problems.join('\n')}`, {
      details: { file },
    });
  }
  const secrets = [
    ...(await unreadableSecrets(parsed.data.source, file)),
    ...(await missingSheets(parsed.data.source, file)),
  ];
  if (secrets.length > 0) {
    throw new OdpError('dataset-invalid', `${file}: invalid dataset definition:\n${secrets.join('\n')}`, {
      details: { file },
    });
  }
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (parsed.data.name !== expected) {
    throw new OdpError(
      'dataset-invalid',
      `${file}: name: "${parsed.data.name}" must match the file name "${expected}"`,
    );
  }
  return { ...parsed.data, file };
}

/** The source's secret files that cannot be read, as problems naming the field (never the secret). */
async function unreadableSecrets(source: Source, file: string): Promise<string[]> {
  const problems: string[] = [];
  for (const field of ['headers', 'query'] as const) {
    for (const [name, value] of Object.entries(source[field])) {
      if (typeof value === 'string') continue;
      await access(secretPath({ file }, value.secretFile), constants.R_OK).catch(() => {
        problems.push(`  source.${field}.${name}.secretFile: cannot read ${value.secretFile}`);
      });
    }
  }
  return problems;
}

/**
 * A workbook the definition names as a local file must have the sheet it reads; one fetched at run time is
 * checked by the run.
 */
async function missingSheets(source: Source, file: string): Promise<string[]> {
  if (source.format !== 'xlsx') return [];
  const problems: string[] = [];
  for (const field of ['live', 'bundled'] as const) {
    const location = source[field];
    if (!location || /^(https?:\/\/|npm:)/.test(location) || /[*?[]/.test(location)) continue;
    const workbook = path.resolve(path.dirname(file), location);
    const exists = await access(workbook).then(
      () => true,
      () => false,
    );
    if (!exists) continue;
    const sheets = await workbookSheets(workbook).catch((error: unknown) => messageOf(error));
    if (typeof sheets === 'string') {
      problems.push(`  source.${field}: ${sheets}`);
      continue;
    }
    const sheet = sheetIn(sheets, source.xlsx?.sheet ?? 1);
    if (typeof sheet !== 'string') problems.push(`  source.xlsx.sheet: ${sheet.problem} (${location})`);
  }
  return problems;
}

/** Every `*.yaml`/`*.yml` file of a folder is a dataset; users add one by dropping a file there. */
export async function loadDatasets(dir: string): Promise<Map<string, Dataset>> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new OdpError('dataset-invalid', `cannot read the datasets folder ${dir} (ODP_DATASETS)`, {
      cause: error,
    });
  }
  const files = entries.filter((e) => /\.ya?ml$/.test(e)).sort();
  const datasets = await Promise.all(files.map((f) => loadDataset(path.join(dir, f))));
  return new Map(datasets.map((d) => [d.name, d]));
}

export function datasetNamed(datasets: ReadonlyMap<string, Dataset>, name: string): Dataset {
  const dataset = datasets.get(name);
  if (!dataset) {
    const known = [...datasets.keys()].join(', ') || 'none';
    throw new OdpError('dataset-unknown', `no dataset named "${name}" (known: ${known})`, { expose: true });
  }
  return dataset;
}
