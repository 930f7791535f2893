/** Validators from the previous successful fetch; an unchanged feed then costs one 304. */
export interface SourceValidators {
  etag?: string | undefined;
  lastModified?: string | undefined;
  /** Our own digest of a payload no server validator covers whole: every page of a paged API. */
  digest?: string | undefined;
}

/** What a source gave a run: its payload files, or word that nothing changed since the validators. */
export type Fetched =
  | { kind: 'not-modified'; source: string }
  | { kind: 'payload'; source: string; files: string[]; validators: SourceValidators };
