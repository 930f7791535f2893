import type { ImageContract } from './dockerfile.js';

/** A base image is pinned by digest, or by a tag that starts with an exact version (`24.21.0-trixie-slim`). */
const PINNED = /(@sha256:[0-9a-f]{64}$)|(:\d+\.\d+\.\d+[\w.-]*$)/;
const SECRET_NAME =
  /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|ACCOUNT_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const SECRET_VALUE =
  /(-----BEGIN [A-Z ]*PRIVATE KEY-----|AccountKey=|SharedAccessSignature=|\bsig=[\w%]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16}|:\/\/[^/\s:@]+:[^/\s@]+@)/;

/**
 * What the image must promise, as one message per broken rule naming the Dockerfile line: pinned bases,
 * a fixed non-root user, a health check, no downloads by ADD, no secret in any layer, production mode,
 * extensions provisioned at build time and one writable data folder.
 */
export function imageRuleViolations(image: ImageContract): string[] {
  const violations: string[] = [];
  const stageNames = new Set<string>();
  for (const stage of image.stages) {
    if (!stageNames.has(stage.image) && !PINNED.test(stage.image)) {
      violations.push(
        `line ${stage.line}: base image ${stage.image} is not pinned to an exact version or digest`,
      );
    }
    if (stage.name) stageNames.add(stage.name);
  }
  const finalStage = image.stages.length - 1;

  const uid = /^(\d+)(?::(\d+))?$/.exec(image.user ?? '');
  if (!uid)
    violations.push(`the final stage's USER is ${image.user ?? 'missing'}; it must be a fixed numeric UID`);
  else if (uid[1] === '0') violations.push('the final stage runs as root (USER 0)');

  if (!image.healthcheck) violations.push('the final stage has no HEALTHCHECK');
  if (image.exposedPorts.length === 0) violations.push('the final stage EXPOSEs no port');
  if (image.cmd.length === 0) violations.push('the final stage has no exec-form CMD');
  if (image.env.NODE_ENV !== 'production')
    violations.push('the final stage does not set NODE_ENV=production');

  for (const instruction of image.instructions) {
    const at = `line ${instruction.line}`;
    if (instruction.keyword === 'ADD' && /(^|\s)(https?|git|ftp):\/\//i.test(instruction.text)) {
      violations.push(`${at}: ADD downloads from a URL; fetch in a RUN with a checksum, or COPY`);
    }
    if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
      for (const [, name, value] of instruction.text.matchAll(/(\w+)\s*=\s*("[^"]*"|\S+)/g)) {
        if (SECRET_NAME.test(name!) && value && value !== '""') {
          violations.push(
            `${at}: ${instruction.keyword} ${name} puts a secret into the image; mount it as a build secret`,
          );
        }
      }
    }
    if (SECRET_VALUE.test(instruction.text))
      violations.push(`${at}: ${instruction.keyword} contains what looks like a secret`);
    if (
      instruction.stage === finalStage &&
      instruction.keyword === 'RUN' &&
      /\bnpm\s+(ci|install|i)\b/.test(instruction.text)
    ) {
      violations.push(
        `${at}: the final stage installs with npm; install in a build stage and copy the result`,
      );
    }
  }

  const dataDir = image.env.ODP_DATA_DIR;
  if (!dataDir) violations.push('the final stage does not set ODP_DATA_DIR, the one writable folder');
  else if (
    !image.instructions.some(
      (i) => i.stage === finalStage && i.keyword === 'VOLUME' && i.text.includes(dataDir),
    )
  ) {
    violations.push(`ODP_DATA_DIR ${dataDir} is not declared as a VOLUME`);
  }
  const extensionDir = image.env.ODP_EXTENSION_DIR;
  const provisioned = image.instructions.some(
    (i) => i.stage < finalStage && i.keyword === 'RUN' && /\bextensions install\b/.test(i.text),
  );
  const copied = image.instructions.some(
    (i) =>
      i.stage === finalStage &&
      i.keyword === 'COPY' &&
      extensionDir &&
      i.text.trim().endsWith(` ${extensionDir}`),
  );
  if (!provisioned || !copied) {
    violations.push('the DuckDB extensions are not installed at build time and copied to ODP_EXTENSION_DIR');
  }
  return violations;
}
