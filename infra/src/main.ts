// Wires ODP's stacks together; running this file synthesizes them to cdktf.out/stacks/<stack>/cdk.tf.json.
import { App } from 'cdktf';
import { pocConfig } from './config.js';
import { BootstrapStack } from './stacks/BootstrapStack.js';
import { PlatformStack } from './stacks/PlatformStack.js';
import { VpnStack } from './stacks/VpnStack.js';

const app = new App({ outdir: new URL('../cdktf.out', import.meta.url).pathname });
new BootstrapStack(app, 'bootstrap', pocConfig);
new PlatformStack(app, 'platform', pocConfig);
new VpnStack(app, 'vpn', pocConfig);
app.synth();
