import { isMap, isScalar, isSeq, parseDocument, parse as parseYaml } from 'yaml';
import { checkImageDigest, checkImageTag } from './imageTag.js';

export interface ImageChange {
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
 * Points the `images:` entry named `image` of a kustomization at `tag` and `digest` (kustomize renders
 * `name:tag@digest`, so the node pulls exactly the manifest that was scanned), changing the `newTag` and `digest`
 * lines and nothing else, so the release commit shows exactly what was released. An entry without a `digest`
 * line gets one, right below `newTag`.
 */
export function setImage(kustomization: string, image: string, tag: string, digest: string): ImageChange {
  checkImageTag(tag);
  checkImageDigest(digest);
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
  const currentDigest = entry.get('digest', true);
  if (currentDigest !== undefined && (!isScalar(currentDigest) || !currentDigest.range))
    throw new Error(
      `the images: entry ${image} has a digest that is not one value; write "digest: <digest>"`,
    );
  const line = kustomization.slice(0, current.range[0]).split('\n').length;
  // A value written over several lines would not change in place: the release commit would show more than it.
  for (const [field, scalar] of [
    ['newTag', current],
    ['digest', currentDigest],
  ] as const)
    if (isScalar(scalar) && kustomization.slice(scalar.range![0], scalar.range![1]).includes('\n'))
      throw new Error(
        `the images: entry ${image} writes its ${field} over several lines (line ${line}); write it on one line`,
      );

  // Edits from the end of the text backwards, so each range's offsets still hold.
  const edits: [start: number, end: number, value: string][] = [
    [current.range[0], current.range[1], yamlScalar(tag)],
  ];
  if (isScalar(currentDigest)) edits.push([currentDigest.range![0], currentDigest.range![1], digest]);
  let text = kustomization;
  for (const [start, end, value] of edits.sort((a, b) => b[0] - a[0]))
    text = `${text.slice(0, start)}${value}${text.slice(end)}`;
  if (!isScalar(currentDigest)) {
    const lines = text.split('\n');
    const indent = /^(\s*)(- )?/.exec(lines[line - 1]!)!;
    lines.splice(line, 0, `${indent[1]}${indent[2] ? '  ' : ''}digest: ${digest}`);
    text = lines.join('\n');
  }

  const written = (
    parseYaml(text) as { images: { name: string; newTag: unknown; digest: unknown }[] }
  ).images.find((i) => i.name === image);
  if (String(written?.newTag) !== tag || written?.digest !== digest)
    throw new Error(
      `the images: entry ${image} does not read back as ${tag}@${digest} once changed (line ${line})`,
    );
  const was = isScalar(currentDigest) ? `${current.value}@${currentDigest.value}` : String(current.value);
  return { text, line, from: was, to: `${tag}@${digest}` };
}
