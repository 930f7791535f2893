import { fileURLToPath } from 'node:url';

/** The repository root: the checks read the files they check from where they are committed. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
