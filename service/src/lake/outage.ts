import { messageOf } from '../errors.js';

/** A dependency of the lake that can go away while the service runs. */
export type Dependency = 'catalog' | 'storage';

const SIGNS: [Dependency, RegExp][] = [
  [
    'catalog',
    /Unable to connect to Postgres|server closed the connection unexpectedly|terminating connection due to administrator command|no connection to the server|the database system is (starting up|shutting down)/i,
  ],
  [
    'storage',
    // The lake's storage is its only peer over HTTP (curl): a connection reset mid-transfer is CURLE 55/56.
    /AzureStorageFileSystem.*(Fail to get a new connection|Could(n't| not) connect to server|timed? ?out)|Fail to get a new connection for: https?:\/\/|Error while (reading from|writing to) network socket\. CURLE code: 5[56]/is,
  ],
];

/**
 * Which dependency an error of the engine says did not answer: the PostgreSQL catalog or the lake's blob
 * storage. Such errors are the outage's, not the request's: clients get a 503 to retry, and the next query
 * connects again by itself once the dependency is back.
 */
export function unreachable(error: unknown): Dependency | undefined {
  const message = messageOf(error);
  return SIGNS.find(([, sign]) => sign.test(message))?.[0];
}
