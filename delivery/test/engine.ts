import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../checks/repository.js';

const run = promisify(execFile);
const dockerd = path.join(repositoryRoot, '.ci/docker/dockerd.sh');

/**
 * A Docker engine to run compose against: the machine's own when one answers, otherwise the tests' own, shared
 * with other test runs on the machine and stopped when the last of them leaves.
 */
export interface DockerEngine {
  /** DOCKER_HOST for every docker command the tests run. */
  readonly host: string;
  stop(): Promise<void>;
}

function failure(what: string, error: unknown): Error {
  const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
  return new Error(`${what} failed:\n${stdout}${stderr}`.trimEnd());
}

/**
 * Starts (or finds) the engine, then makes sure every base image our Dockerfile and compose.yaml name is there:
 * pulled where a registry answers, otherwise the local stand-ins .ci/docker/standins/build.sh makes.
 */
export async function startEngine(): Promise<DockerEngine> {
  const client = String(process.pid);
  const started = await run('bash', [dockerd, 'start', client], { cwd: repositoryRoot }).catch(
    (error: unknown) => {
      throw failure('starting a Docker engine (.ci/docker/dockerd.sh start)', error);
    },
  );
  const host = started.stdout.trim();
  const stop = async () => {
    await run('bash', [dockerd, 'stop', client], { cwd: repositoryRoot });
  };
  await run('bash', [path.join(repositoryRoot, '.ci/docker/standins/build.sh')], {
    cwd: repositoryRoot,
    env: { ...process.env, DOCKER_HOST: host },
    maxBuffer: 64 * 1024 * 1024,
  }).catch(async (error: unknown) => {
    await stop();
    throw failure('providing the base images (.ci/docker/standins/build.sh)', error);
  });
  return { host, stop };
}
