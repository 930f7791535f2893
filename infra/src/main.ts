// `npm run synth`: writes cdktf.out/stacks/<stack>/cdk.tf.json, which the pipeline hands to terraform.
import { synthesize } from './app.js';

synthesize(new URL('../cdktf.out', import.meta.url).pathname);
