import { readFile } from 'node:fs/promises';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface Stage {
  name: string | undefined;
  /** The base image with ARG defaults filled in, e.g. `node:24.21.0-trixie-slim`. */
  image: string;
  line: number;
}

/** What a Dockerfile promises about the image it builds: what the final stage runs and how. */
export interface ImageContract {
  stages: Stage[];
  /** USER of the final stage, as written. */
  user: string | undefined;
  exposedPorts: number[];
  healthcheck: { command: string[]; line: number } | undefined;
  cmd: string[];
  entrypoint: string[] | undefined;
  /** ENV of the final stage. */
  env: Record<string, string>;
  /** WORKDIR of the final stage, where CMD runs. */
  workdir: string | undefined;
  instructions: { keyword: string; text: string; line: number; stage: number }[];
}

function jsonArray(text: string, where: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`${where} is not an exec-form JSON array of strings: ${text}`);
  }
  return parsed;
}

/** Reads a Dockerfile with dockerfile-ast, the parser behind the Docker language server. */
export async function readImageContract(file: string): Promise<ImageContract> {
  return parseImageContract(await readFile(file, 'utf8'));
}

export function parseImageContract(text: string): ImageContract {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property?.getValue()) args.set(property.getName(), property.getValue()!);
  }
  const resolve = (text: string) =>
    text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => args.get(name) ?? whole);

  const froms = dockerfile.getFROMs();
  const stages = froms.map((from) => ({
    name: from.getBuildStage() ?? undefined,
    image: resolve(from.getImage() ?? ''),
    line: from.getRange().start.line + 1,
  }));
  const finalStart = froms.at(-1)?.getRange().start.line ?? 0;
  const stageOf = (line: number) => froms.filter((from) => from.getRange().start.line <= line).length - 1;
  const final = (instruction: Instruction) => instruction.getRange().start.line >= finalStart;
  const finalOnly = <T extends Instruction>(list: T[]) => list.filter(final);

  const env: Record<string, string> = {};
  for (const instruction of finalOnly(dockerfile.getENVs())) {
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  const healthcheck = finalOnly(dockerfile.getHEALTHCHECKs()).at(-1);
  const healthcheckArgs = healthcheck?.getArgumentsContent() ?? '';
  const healthcheckLine = (healthcheck?.getRange().start.line ?? 0) + 1;
  const cmd = finalOnly(dockerfile.getCMDs()).at(-1);
  const entrypoint = finalOnly(dockerfile.getENTRYPOINTs()).at(-1);
  return {
    stages,
    user: finalOnly(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'USER'))
      .at(-1)
      ?.getArgumentsContent()
      ?.trim(),
    exposedPorts: finalOnly(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'EXPOSE')).flatMap(
      (i) => i.getArguments().map((argument) => Number.parseInt(argument.getValue(), 10)),
    ),
    healthcheck: healthcheck
      ? {
          command: jsonArray(healthcheckArgs.replace(/^CMD\s+/, ''), `HEALTHCHECK (line ${healthcheckLine})`),
          line: healthcheckLine,
        }
      : undefined,
    cmd: cmd ? jsonArray(cmd.getArgumentsContent() ?? '', `CMD (line ${cmd.getRange().start.line + 1})`) : [],
    entrypoint: entrypoint ? jsonArray(entrypoint.getArgumentsContent() ?? '', 'ENTRYPOINT') : undefined,
    env,
    workdir: finalOnly(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'WORKDIR'))
      .at(-1)
      ?.getArgumentsContent()
      ?.trim(),
    instructions: dockerfile.getInstructions().map((instruction) => ({
      keyword: instruction.getKeyword(),
      text: instruction.getArgumentsContent() ?? '',
      line: instruction.getRange().start.line + 1,
      stage: stageOf(instruction.getRange().start.line),
    })),
  };
}
