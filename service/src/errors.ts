/**
 * The few named failures a user of ODP can meet. Each carries the context a person needs to act on it;
 * `expose` says whether the message may be shown to an API client (Koa's convention).
 */
export type ErrorCode =
  | 'config-invalid'
  | 'dataset-invalid'
  | 'dataset-unknown'
  | 'extension-unavailable'
  | 'lake-busy'
  | 'lease-held'
  | 'source-failed'
  | 'run-unknown';

export class OdpError extends Error {
  readonly code: ErrorCode;
  readonly expose: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; expose?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OdpError';
    this.code = code;
    this.expose = options.expose ?? false;
    this.details = options.details ?? {};
  }
}

/** The message of anything thrown, for logs and run records. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
