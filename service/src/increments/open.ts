import type { StorageTarget } from '../config/config.js';
import { AzureIncrementStore } from './azure.js';
import { LocalIncrementStore } from './local.js';
import type { IncrementStore } from './store.js';

/** The increment store the configuration names: a local folder or an Azure Blob Storage container. */
export function openIncrementStore(target: StorageTarget): IncrementStore {
  return target.kind === 'local' ? new LocalIncrementStore(target.path) : new AzureIncrementStore(target);
}
