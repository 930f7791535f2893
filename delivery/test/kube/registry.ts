import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@odp/service/standins/loopback';
import { toolPath } from '../../checks/tools.js';
import { Daemon, waitFor } from '../processes.js';

/** The media types a manifest is asked for with, so the registry answers with the digest the image was pushed under. */
const MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * A container registry on 127.0.0.1 (the Distribution registry, as Debian packages it), standing in for Azure
 * Container Registry: images are pushed to it under the repository and tag the image-publish workflow uses, and
 * the node pulls them from it under the production registry's name.
 */
export class LocalRegistry {
  private constructor(
    readonly daemon: Daemon,
    /** host:port, as image names start. */
    readonly host: string,
  ) {}

  get url(): string {
    return `http://${this.host}`;
  }

  static async start(dir: string): Promise<LocalRegistry> {
    await mkdir(dir, { recursive: true });
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    await writeFile(
      config,
      `version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: ${path.join(dir, 'data')} }
http:
  addr: 127.0.0.1:${port}
`,
    );
    const daemon = Daemon.start(
      'registry',
      toolPath('registry'),
      ['serve', config],
      path.join(dir, 'registry.log'),
    );
    const registry = new LocalRegistry(daemon, `127.0.0.1:${port}`);
    await waitFor(
      () => `the registry to answer on ${registry.url}; ${daemon.running ? 'it is running' : daemon.tail()}`,
      async () => (await fetch(`${registry.url}/v2/`)).ok,
      30_000,
      200,
    );
    return registry;
  }

  /** The digest of `repository:tag`'s manifest, or undefined when the registry has no such tag. */
  async digest(repository: string, tag: string): Promise<string | undefined> {
    const response = await fetch(`${this.url}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { Accept: MANIFESTS },
    });
    return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
  }

  async stop(): Promise<void> {
    await this.daemon.stop();
  }
}
