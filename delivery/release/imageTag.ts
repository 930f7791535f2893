/** Docker's grammar for a tag: a word character, then up to 127 word characters, dots or dashes. */
const TAG_GRAMMAR = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export class InvalidImageTagError extends Error {
  constructor(
    readonly tag: string,
    reason: string,
  ) {
    super(`invalid image tag ${JSON.stringify(tag)}: ${reason}`);
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
