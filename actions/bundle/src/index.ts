// Both actions in one bundle; dist/<action>.js, which that action's action.yml runs, calls one of these.
export { run as infraApply } from '@odp/infra-apply';
export { run as infraPlan } from '@odp/infra-plan';
