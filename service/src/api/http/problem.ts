/**
 * An RFC 9457 problem: what went wrong, said so that the person calling the API can act on it.
 * Only problems reach a client verbatim; anything else is logged and answered as an opaque 500.
 */
export class Problem extends Error {
  readonly status: number;
  readonly title: string;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    title: string,
    detail: string,
    options: { extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Problem';
    this.status = status;
    this.title = title;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  body(instance: string, requestId: string): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      detail: this.message,
      instance,
      requestId,
      ...this.extra,
    };
  }
}

/** A request whose parameters cannot be served; `errors` lists every problem found, each naming its parameter. */
export function badRequest(detail: string, errors: { parameter: string; message: string }[] = []): Problem {
  return new Problem(400, 'Bad request', detail, errors.length ? { extra: { errors } } : {});
}

export function notFound(detail: string): Problem {
  return new Problem(404, 'Not found', detail);
}
