import { z } from 'zod';

/** One entry of `resource_changes` / `resource_drift` in `terraform show -json` (fields we read). */
const ResourceChangeSchema = z.looseObject({
  address: z.string(),
  previous_address: z.string().optional(),
  mode: z.enum(['managed', 'data']),
  type: z.string(),
  change: z.looseObject({
    actions: z.array(z.enum(['no-op', 'create', 'read', 'update', 'delete', 'forget'])).min(1),
    before: z.unknown(),
    after: z.unknown(),
    after_unknown: z.unknown().optional(),
    before_sensitive: z.unknown().optional(),
    after_sensitive: z.unknown().optional(),
    replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
    importing: z.looseObject({ id: z.string().optional() }).optional(),
  }),
  action_reason: z.string().optional(),
});

const PlanJsonSchema = z.looseObject({
  format_version: z.string(),
  terraform_version: z.string().optional(),
  resource_changes: z.array(ResourceChangeSchema).default([]),
  resource_drift: z.array(ResourceChangeSchema).default([]),
  output_changes: z.record(z.string(), z.looseObject({ before: z.unknown(), after: z.unknown() })).optional(),
  variables: z.record(z.string(), z.looseObject({ value: z.unknown() })).optional(),
  configuration: z.unknown().optional(),
});

export type ResourceChange = z.infer<typeof ResourceChangeSchema>;
export type PlanJson = z.infer<typeof PlanJsonSchema>;

/** Validates `terraform show -json` output where it enters; `source` names the plan in errors. */
export function parsePlanJson(raw: unknown, source: string): PlanJson {
  const parsed = PlanJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new Error(`${source} is not a Terraform JSON plan: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
