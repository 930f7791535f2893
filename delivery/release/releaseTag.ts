import { isMap, isScalar, isSeq, parseDocument, parse as parseYaml } from 'yaml';
import { checkImageTag } from './imageTag.js';

export interface TagChange {
  text: string;
  /** 1-based line of `newTag`. */
  line: number;
  from: string;
  to: string;
}

/** Writes the tag plain when YAML reads it back as the same string, quoted otherwise (`1.10` is a number). */
function yamlScalar(tag: string): string {
  return parseYaml(tag) === tag ? tag : JSON.stringify(tag);
}

/**
 * Points the `images:` entry named `image` of a kustomization at `tag`, changing that one `newTag` line and
 * nothing else, so the release commit shows exactly what was released.
 */
export function setImageTag(kustomization: string, image: string, tag: string): TagChange {
  checkImageTag(tag);
  const document = parseDocument(kustomization);
  if (document.errors.length > 0)
    throw new Error(`the kustomization is not valid YAML: ${document.errors[0]?.message}`);
  const images = document.get('images');
  if (!isSeq(images)) throw new Error('the kustomization has no images: list');
  const entry = images.items.find((item) => isMap(item) && item.get('name') === image);
  if (!isMap(entry)) throw new Error(`the kustomization's images: list has no entry named ${image}`);
  const current = entry.get('newTag', true);
  if (!isScalar(current) || !current.range) {
    throw new Error(`the images: entry ${image} has no newTag to change; add "newTag: <tag>" to it`);
  }
  const [start, end] = current.range;
  const text = `${kustomization.slice(0, start)}${yamlScalar(tag)}${kustomization.slice(end)}`;
  const line = kustomization.slice(0, start).split('\n').length;

  const before = kustomization.split('\n');
  const after = text.split('\n');
  const changed = after.filter((value, index) => before[index] !== value).length;
  if (before.length !== after.length || changed > 1) {
    throw new Error(
      `changing the tag would change ${changed} lines instead of one (line ${line}); write newTag on one line`,
    );
  }
  return { text, line, from: String(current.value), to: tag };
}
