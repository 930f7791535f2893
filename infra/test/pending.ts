import type { Context, Suite, Test } from 'mocha';

/**
 * The one kind of test allowed to be pending: validating the stacks against the real azurerm provider, where no
 * Terraform registry answers and the provider is not mirrored (`terraform.test.ts` says why when it skips). Any
 * other pending test fails the run, so a test never passes by not running.
 */
const ALLOWED =
  /^terraform validate and terraform test over the synthesized stacks \S+: validates and plans against the real azurerm /;

function testsOf(suite: Suite): Test[] {
  return [...suite.tests, ...suite.suites.flatMap(testsOf)];
}

export const mochaHooks = {
  afterAll(this: Context) {
    const root = this.test?.parent;
    if (!root) return;
    const refused = testsOf(root)
      .filter((test) => test.isPending() && !ALLOWED.test(test.fullTitle()))
      .map((test) => test.fullTitle());
    if (refused.length > 0) throw new Error(`pending tests are not allowed here: ${refused.join('; ')}`);
  },
};
