import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { stackNames, synthesizedStack } from './synthesized.js';

// Each stack's Terraform JSON is committed, so every infrastructure change is a reviewable diff.
// `npm run snapshot -w infra` rewrites them after an intended change.
const snapshots = new URL('../__snapshots__/', import.meta.url);
const updating = process.env.ODP_UPDATE_SNAPSHOTS === '1';

describe('synthesized stacks', () => {
  for (const stack of stackNames) {
    it(`${stack} synthesizes and matches __snapshots__/${stack}.tf.json`, () => {
      const synthesized = synthesizedStack(stack);
      expect(Object.keys(synthesized.resource).length, `${stack} declares no resources`).to.be.greaterThan(0);
      const file = new URL(`${stack}.tf.json`, snapshots);
      if (updating) {
        mkdirSync(snapshots, { recursive: true });
        writeFileSync(file, `${JSON.stringify(synthesized, null, 2)}\n`);
        return;
      }
      expect(
        existsSync(file),
        `no snapshot for ${stack}: run npm run snapshot -w infra and commit it`,
      ).to.equal(true);
      const committed = readFileSync(file, 'utf8');
      // Compared as text so a failure prints a line diff of the Terraform JSON.
      expect(
        `${JSON.stringify(synthesized, null, 2)}\n`,
        `${stack} differs from its committed snapshot; review the diff, then run npm run snapshot -w infra`,
      ).to.equal(committed);
    });
  }
});
