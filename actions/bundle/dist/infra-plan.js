import { infraPlan } from './index.js';

await infraPlan();
