import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { ExtensionSources } from '../config/config.js';
import { messageOf, OdpError } from '../errors.js';
import { createEngine } from '../lake/engine.js';

/** The DuckDB extensions ODP needs: the lake format, the PostgreSQL catalog, Azure storage and XLSX sources. */
export const REQUIRED_EXTENSIONS = ['ducklake', 'postgres_scanner', 'azure', 'excel'] as const;
export type ExtensionName = (typeof REQUIRED_EXTENSIONS)[number];

export type ExtensionOrigin = 'already-installed' | 'duckdb-repository' | 'python-package-index';

export interface ProvisionedExtension {
  name: ExtensionName;
  origin: ExtensionOrigin;
  path: string;
}

interface Engine {
  version: string;
  platform: string;
}

/** The Python package index (simple API), unless PIP_INDEX_URL names a mirror. */
const PYPI_SIMPLE = 'https://pypi.org/simple';
/** DuckDB's extension repository, unless ODP_EXTENSION_REPOSITORY names a mirror; tried first. */
const DUCKDB_REPOSITORY = 'http://extensions.duckdb.org';

/** `repository` is where DuckDB's INSTALL looks: `<repository>/<version>/<platform>/<name>.duckdb_extension.gz`. */
export interface ProvisionOptions extends ExtensionSources {
  names?: readonly ExtensionName[];
}

async function engineInfo(extensionDir: string): Promise<Engine> {
  const db = await createEngine(extensionDir);
  const connection = await db.connect();
  try {
    const rows = await connection.runAndReadAll(
      'SELECT version() AS v, (SELECT platform FROM pragma_platform()) AS p',
    );
    const [version, platform] = rows.getRows()[0] as [string, string];
    return { version, platform };
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

function extensionPath(extensionDir: string, engine: Engine, name: string): string {
  return path.join(extensionDir, engine.version, engine.platform, `${name}.duckdb_extension`);
}

async function loads(extensionDir: string, name: string): Promise<string | undefined> {
  const db = await createEngine(extensionDir);
  const connection = await db.connect();
  try {
    await connection.run(`LOAD ${name}`);
    return undefined;
  } catch (error) {
    return messageOf(error);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

async function installFromDuckdbRepository(
  extensionDir: string,
  name: string,
  repository: string,
): Promise<void> {
  const db = await createEngine(extensionDir);
  const connection = await db.connect();
  try {
    await connection.run(`INSTALL ${name} FROM '${repository.replaceAll("'", "''")}'`);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

interface WheelFile {
  filename: string;
  url: string;
  hashes: { sha256?: string };
}

/** `linux_amd64` → the manylinux x86_64 wheel; DuckDB's platform names map onto wheel tags. */
function wheelTag(platform: string): RegExp {
  const tags: Record<string, RegExp> = {
    linux_amd64: /manylinux[^-]*_x86_64\.whl$/,
    linux_arm64: /manylinux[^-]*_aarch64\.whl$/,
    osx_arm64: /macosx_[^-]*_arm64\.whl$/,
    osx_amd64: /macosx_[^-]*_x86_64\.whl$/,
  };
  const tag = tags[platform];
  if (!tag) throw new Error(`no Python wheel platform is known for DuckDB platform ${platform}`);
  return tag;
}

/** The Python package index carries `duckdb-extension-<name>==<version>` wheels; a wheel is a zip. */
async function installFromPythonPackageIndex(
  target: string,
  engine: Engine,
  name: string,
  indexUrl: string,
): Promise<void> {
  const base = indexUrl.replace(/\/$/, '');
  const project = `duckdb-extension-${name.replaceAll('_', '-')}`;
  const version = engine.version.replace(/^v/, '');
  const index = await fetch(`${base}/${project}/`, {
    headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (!index.ok) throw new Error(`${base}/${project}/ answered ${index.status}`);
  const files = ((await index.json()) as { files: WheelFile[] }).files;
  const tag = wheelTag(engine.platform);
  const wheel = files.find(
    (f) => f.filename.startsWith(`${project.replaceAll('-', '_')}-${version}-`) && tag.test(f.filename),
  );
  if (!wheel) throw new Error(`${project} has no ${version} wheel for ${engine.platform}`);

  const response = await fetch(wheel.url, { signal: AbortSignal.timeout(300_000) });
  if (!response.ok) throw new Error(`${wheel.url} answered ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (wheel.hashes.sha256 && digest !== wheel.hashes.sha256) {
    throw new Error(
      `${wheel.filename} failed its sha256 check (index says ${wheel.hashes.sha256}, got ${digest})`,
    );
  }
  const member = `extensions/${engine.version}/${name}.duckdb_extension`;
  const entries = unzipSync(bytes, { filter: (file) => file.name.endsWith(member) });
  const binary = Object.values(entries)[0];
  if (!binary) throw new Error(`${wheel.filename} does not contain ${member}`);

  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  await writeFile(partial, binary);
  await rename(partial, target);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Installs every required extension into `extensionDir` for this exact DuckDB version: from DuckDB's repository
 * (or its mirror) where it answers, otherwise from the Python package index. Each one must load afterwards.
 */
export async function provisionExtensions(
  extensionDir: string,
  {
    names = REQUIRED_EXTENSIONS,
    repository = DUCKDB_REPOSITORY,
    pythonIndex = PYPI_SIMPLE,
  }: ProvisionOptions = {},
): Promise<ProvisionedExtension[]> {
  const engine = await engineInfo(extensionDir);
  const provisioned: ProvisionedExtension[] = [];
  const failures: string[] = [];
  for (const name of names) {
    const target = extensionPath(extensionDir, engine, name);
    const attempts: string[] = [];
    let origin: ExtensionOrigin | undefined;
    if ((await exists(target)) && (await loads(extensionDir, name)) === undefined)
      origin = 'already-installed';
    if (!origin) {
      try {
        await installFromDuckdbRepository(extensionDir, name, repository);
        origin = 'duckdb-repository';
      } catch (error) {
        attempts.push(`DuckDB repository: ${messageOf(error).split('\n')[0]}`);
      }
    }
    if (!origin) {
      try {
        await installFromPythonPackageIndex(target, engine, name, pythonIndex);
        origin = 'python-package-index';
      } catch (error) {
        attempts.push(`Python package index: ${messageOf(error)}`);
      }
    }
    const loadError = origin ? await loads(extensionDir, name) : undefined;
    if (origin && loadError === undefined) {
      provisioned.push({ name, origin, path: target });
    } else {
      if (loadError) attempts.push(`installed but does not load: ${loadError}`);
      failures.push(`${name} (${engine.version}, ${engine.platform}): ${attempts.join('; ')}`);
    }
  }
  if (failures.length > 0) {
    throw new OdpError(
      'extension-unavailable',
      `could not provision DuckDB extensions:\n  ${failures.join('\n  ')}`,
      {
        details: { extensionDir },
      },
    );
  }
  return provisioned;
}
