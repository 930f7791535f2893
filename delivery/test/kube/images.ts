import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DockerEngine } from '../engine.js';

const run = promisify(execFile);

export interface ImageBuild {
  /** The build context: for the service, the repository's root. */
  context: string;
  /** The Dockerfile, relative to the context. */
  dockerfile: string;
  /** The name and tag to push it under. */
  image: string;
}

/**
 * Builds an image with BuildKit, as the image-publish workflow's build step does (its Dockerfile and context),
 * then pushes it with `docker push` as its push step does; resolves with the digest the registry stored it under,
 * read back with `docker image inspect` as that step reads it.
 * The build goes through Compose, which drives the engine's BuildKit without the buildx plugin.
 */
export async function buildAndPush(engine: DockerEngine, build: ImageBuild): Promise<string> {
  const env = { ...process.env, DOCKER_HOST: engine.host };
  const folder = await mkdtemp(path.join(os.tmpdir(), 'odp-image-'));
  try {
    const compose = path.join(folder, 'compose.yaml');
    await writeFile(
      compose,
      JSON.stringify({
        services: {
          image: { build: { context: build.context, dockerfile: build.dockerfile }, image: build.image },
        },
      }),
    );
    await run('docker', ['compose', '-f', compose, '-p', path.basename(folder).toLowerCase(), 'build'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stderr?: string; stdout?: string }) => {
      throw new Error(
        `building ${build.image} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`.trimEnd(),
      );
    });
    await run('docker', ['push', build.image], { env, maxBuffer: 64 * 1024 * 1024 });
    const { stdout } = await run(
      'docker',
      ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', build.image],
      { env },
    );
    const digest = stdout.trim().split('@')[1];
    if (!/^sha256:[0-9a-f]{64}$/.test(digest ?? ''))
      throw new Error(`docker image inspect ${build.image} gave no repository digest: ${stdout.trim()}`);
    return digest!;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Removes the engine's copies of every image named under `registryHost` (a test's own registry, whose port no other
 * run shares), and the layers only they used: the registry keeps what the pods pulled, and without this every run
 * would leave its images (~1 GB) in the machine's engine.
 */
export async function removeImages(engine: DockerEngine, registryHost: string): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: engine.host };
  const { stdout } = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { env });
  const ours = stdout.split('\n').filter((reference) => reference.startsWith(`${registryHost}/`));
  if (ours.length > 0) await run('docker', ['image', 'rm', ...ours], { env });
}
