import { App } from 'cdktf';
import { type OdpConfig, pocConfig } from './config.js';
import { BootstrapStack } from './stacks/BootstrapStack.js';
import { PlatformStack } from './stacks/PlatformStack.js';
import { VpnStack } from './stacks/VpnStack.js';

/** ODP's stacks, each with its own state, in the order a first deployment applies them. */
export const stackNames = ['bootstrap', 'platform', 'vpn'] as const;
export type StackName = (typeof stackNames)[number];

/** Synthesizes every stack to `<outdir>/stacks/<stack>/cdk.tf.json`. */
export function synthesize(outdir: string, config: OdpConfig = pocConfig): void {
  const app = new App({ outdir });
  new BootstrapStack(app, 'bootstrap', config);
  new PlatformStack(app, 'platform', config);
  new VpnStack(app, 'vpn', config);
  app.synth();
}
