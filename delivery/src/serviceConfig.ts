import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryRoot } from './repository.js';

/** The part of the service's configuration that delivery depends on. */
export interface ServiceConfig {
  port: number;
  dataDir: string;
  scheduler: boolean;
  datasetsDir: string;
  extensionDir: string;
}

/**
 * The service's own reading of an environment (service/src/config/config.ts, loaded at run time so delivery never
 * copies its rules): throws the service's error, one line per bad variable, when it would refuse to start.
 */
export async function loadServiceConfig(env: Record<string, string>): Promise<ServiceConfig> {
  const module = (await import(pathToFileURL(path.join(repositoryRoot, 'service/src/config/config.ts')).href)) as {
    loadConfig(env: Record<string, string>): ServiceConfig;
  };
  return module.loadConfig(env);
}
