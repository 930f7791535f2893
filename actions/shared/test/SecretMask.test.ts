import { expect } from 'chai';
import { parsePlanJson, SecretMask } from '../src/index.js';
import { fixture } from './golden.js';

describe('SecretMask', () => {
  it('masks sensitive values wherever they appear, also JSON-escaped', async () => {
    const plan = parsePlanJson(JSON.parse(await fixture('sensitive.plan.json')), 'fixture');
    const mask = SecretMask.create([plan], []);
    expect(mask.secrets).to.include.members(['s3cr3t-value-123', 'n3w-s3cr3t-456']);
    expect(mask.apply('output = "s3cr3t-value-123" and n3w-s3cr3t-456')).to.equal('output = "***" and ***');
  });

  it('masks nested sensitive values and sensitive variables, not short ones', () => {
    const plan = parsePlanJson(
      {
        format_version: '1.2',
        variables: { password: { value: 'hunter2-long' }, region: { value: 'italynorth' } },
        configuration: { root_module: { variables: { password: { sensitive: true }, region: {} } } },
        resource_changes: [
          {
            address: 'x.y',
            mode: 'managed',
            type: 'x',
            change: {
              actions: ['create'],
              before: null,
              after: { settings: [{ key: 'abc', token: 'tok-123456' }], name: 'visible' },
              after_sensitive: { settings: [{ token: true, key: true }] },
            },
          },
        ],
      },
      'inline',
    );
    const mask = SecretMask.create([plan], []);
    expect(mask.apply('hunter2-long tok-123456 abc visible italynorth')).to.equal(
      '*** *** abc visible italynorth',
    );
  });

  it('masks built-in secret shapes and configured patterns', () => {
    const mask = SecretMask.create([], ['corp-[0-9]{6}']);
    expect(mask.apply('DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcDEF123/+==;')).to.equal(
      'DefaultEndpointsProtocol=https;AccountName=x;***;',
    );
    expect(mask.apply(`token ghp_${'a'.repeat(36)} id corp-123456`)).to.equal('token *** id ***');
  });

  it('reports an invalid pattern with its line', () => {
    expect(() => SecretMask.create([], ['ok', '(unclosed'])).to.throw(
      /^secret-patterns line 2 is not a valid regular expression \(\(unclosed\)/,
    );
  });
});
