/** Docker's grammar for a tag: a word character, then up to 127 word characters, dots or dashes. */
const TAG_GRAMMAR = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export class InvalidImageTagError extends Error {
  constructor(
    readonly tag: string,
    reason: string,
    what: 'tag' | 'digest' = 'tag',
  ) {
    super(`invalid image ${what} ${JSON.stringify(tag)}: ${reason}`);
    this.name = 'InvalidImageTagError';
  }
}

/**
 * Accepts a tag a release may point at, or says why not. `latest` is refused: a tag that moves would make
 * Git stop saying what runs, and a rollback by revert would roll back nothing.
 */
export function checkImageTag(tag: string): string {
  if (tag.length === 0) throw new InvalidImageTagError(tag, 'it is empty');
  if (tag.length > 128)
    throw new InvalidImageTagError(tag, `it has ${tag.length} characters, at most 128 are allowed`);
  if (!TAG_GRAMMAR.test(tag)) {
    throw new InvalidImageTagError(
      tag,
      'a tag starts with a letter, digit or underscore and continues with letters, digits, underscores, dots or dashes',
    );
  }
  if (tag === 'latest')
    throw new InvalidImageTagError(tag, 'a release names an immutable tag (a version or commit), not latest');
  return tag;
}

/** A content digest as registries name an image manifest: `sha256:` and 64 lowercase hex digits. */
const DIGEST_GRAMMAR = /^sha256:[0-9a-f]{64}$/;

/**
 * Accepts the digest a release pins the image to, or says why not: a tag can be pushed again, a digest cannot,
 * so the digest is what makes the running image the one that was scanned.
 */
export function checkImageDigest(digest: string): string {
  if (!DIGEST_GRAMMAR.test(digest)) {
    throw new InvalidImageTagError(
      digest,
      'a digest is sha256: followed by 64 lowercase hex digits, as `docker push` and `docker image inspect` print it',
      'digest',
    );
  }
  return digest;
}
