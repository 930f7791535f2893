import path from 'node:path';
import { loadConfig } from '@odp/service/config';
import { expect } from 'chai';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService } from 'kubernetes-models/v1';
import { type Fact, mismatches } from '../checks/alignment.js';
import { readCompose, serviceEnvironment } from '../checks/compose.js';
import { readImageContract } from '../checks/dockerfile.js';
import { buildKustomization } from '../checks/kustomize.js';
import { repositoryRoot } from '../checks/repository.js';

/** The port an in-container probe command calls, e.g. `fetch('http://127.0.0.1:8080/readyz')`. */
function probedPort(command: string[]): number | undefined {
  const text = command.join(' ');
  const port = /127\.0\.0\.1:(\d+)/.exec(text)?.[1] ?? /ODP_PORT\s*\|\|\s*(\d+)/.exec(text)?.[1];
  return port ? Number(port) : undefined;
}

function probedPath(command: string[]): string | undefined {
  return /\/(healthz|readyz)\b/.exec(command.join(' '))?.[0];
}

/** `127.0.0.1:8080:8080` → 8080, the container side of a compose port mapping. */
function containerPort(mapping: string | undefined): number | undefined {
  return mapping ? Number(mapping.split(':').at(-1)) : undefined;
}

describe('port and probe paths agree across the service, the image, compose and the cluster', function () {
  this.timeout(60_000);

  it('uses one port and only the probe paths the service serves, everywhere', async () => {
    const [service, image, compose, apps] = await Promise.all([
      loadConfig({}),
      readImageContract(path.join(repositoryRoot, 'service/Dockerfile')),
      readCompose(path.join(repositoryRoot, 'compose.yaml')),
      buildKustomization(path.join(repositoryRoot, 'apps/poc')),
    ]);
    const deployment = apps.objects.find((o) => o.kind === 'Deployment') as unknown as IDeployment;
    const container = deployment.spec!.template.spec!.containers[0]!;
    const named = (port: number | string | undefined) =>
      typeof port === 'string' ? container.ports?.find((p) => p.name === port)?.containerPort : port;
    const k8sService = apps.objects.find((o) => o.kind === 'Service') as unknown as IService;
    const config = apps.objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('lake-service-config'),
    ) as unknown as IConfigMap;

    const ports: Fact<number>[] = [
      { place: 'the service default (service/src/config/config.ts ODP_PORT)', value: service.port },
      { place: 'service/Dockerfile ENV ODP_PORT', value: Number(image.env.ODP_PORT ?? service.port) },
      ...image.exposedPorts.map((port) => ({ place: 'service/Dockerfile EXPOSE', value: port })),
      {
        place: `service/Dockerfile HEALTHCHECK (line ${image.healthcheck?.line})`,
        value: probedPort(image.healthcheck?.command ?? []),
      },
      { place: 'apps/base/lake-service ConfigMap ODP_PORT', value: Number(config.data?.ODP_PORT) },
      { place: 'Deployment lake-service-api containerPort', value: container.ports?.[0]?.containerPort },
      {
        place: 'Deployment lake-service-api startupProbe',
        value: named(container.startupProbe?.httpGet?.port),
      },
      {
        place: 'Deployment lake-service-api livenessProbe',
        value: named(container.livenessProbe?.httpGet?.port),
      },
      {
        place: 'Deployment lake-service-api readinessProbe',
        value: named(container.readinessProbe?.httpGet?.port),
      },
      { place: 'Service lake-service targetPort', value: named(k8sService.spec!.ports![0]!.targetPort) },
    ];
    for (const [name, composeService] of Object.entries(compose.services)) {
      if (!composeService.build) continue;
      const environment = serviceEnvironment(composeService, {});
      const test = composeService.healthcheck?.test;
      ports.push({
        place: `compose.yaml services.${name}.environment.ODP_PORT`,
        value: Number(environment.ODP_PORT),
      });
      ports.push({
        place: `compose.yaml services.${name}.healthcheck`,
        value: probedPort(Array.isArray(test) ? test : [test ?? '']),
      });
      const published = composeService.network_mode
        ? compose.services[composeService.network_mode.replace('service:', '')]?.ports?.[0]
        : composeService.ports?.[0];
      ports.push({ place: `compose.yaml services.${name} published port`, value: containerPort(published) });
    }

    const served = new Set(['/healthz', '/readyz']);
    const paths: Fact<string>[] = [
      {
        place: `service/Dockerfile HEALTHCHECK (line ${image.healthcheck?.line})`,
        value: probedPath(image.healthcheck?.command ?? []),
      },
      { place: 'Deployment lake-service-api startupProbe', value: container.startupProbe?.httpGet?.path },
      { place: 'Deployment lake-service-api livenessProbe', value: container.livenessProbe?.httpGet?.path },
      { place: 'Deployment lake-service-api readinessProbe', value: container.readinessProbe?.httpGet?.path },
      ...Object.entries(compose.services)
        .filter(([, s]) => s.build)
        .map(([name, s]) => ({
          place: `compose.yaml services.${name}.healthcheck`,
          value: probedPath(
            Array.isArray(s.healthcheck?.test) ? s.healthcheck.test : [s.healthcheck?.test ?? ''],
          ),
        })),
    ];
    const unserved = paths
      .filter((fact) => !served.has(fact.value ?? ''))
      .map(
        (fact) =>
          `probe path: ${fact.place} says ${fact.value}, which the service does not serve (${[...served].join(', ')})`,
      );
    const problems = [...mismatches('port', ports), ...unserved];
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(container.readinessProbe?.httpGet?.path, 'readiness means the lake is attached').to.equal(
      '/readyz',
    );
  });

  it('names both places when a port disagrees', () => {
    const problems = mismatches('port', [
      { place: 'the service default', value: 8080 },
      { place: 'compose.yaml services.lake-service.healthcheck', value: 8080 },
      { place: 'Deployment lake-service-api containerPort', value: 9090 },
    ]);
    expect(problems).to.deep.equal([
      'port: Deployment lake-service-api containerPort says 9090 but the service default says 8080',
    ]);
  });
});
