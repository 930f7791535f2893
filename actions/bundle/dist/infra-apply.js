import { infraApply } from './index.js';

await infraApply();
