import { z } from 'zod';
import type { ApiKey } from '../../access/keys.js';
import { SCOPES } from '../../access/scopes.js';
import { route } from './route.js';
import { jsonResponse } from './schemas.js';

/** Who the caller is: a client (the console) shows only what the key's scope allows. */
export const currentKey = route({
  path: '/v1/key',
  operationId: 'getKey',
  summary: 'The API key making the request: its id, name and scope (never the secret)',
  access: 'read',
  responses: () => ({
    '200': jsonResponse('the key', z.object({ id: z.string(), name: z.string(), scope: z.enum(SCOPES) })),
  }),
  handle: async function handleGetKey(ctx) {
    const key = ctx.state.apiKey as ApiKey;
    ctx.body = { id: key.id, name: key.name, scope: key.scope };
  },
});
