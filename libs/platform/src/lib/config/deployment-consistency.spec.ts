// The deployment files in infra/ against the configuration the apps read: every variable they set is one the apps know,
// each app's settings pass loadConfig, and the files agree with each other (hosts, passwords, ports, partitions).
// infra/check-deployment.sh checks YAML and compose syntax with yamllint and docker-compose.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from './app-config';
import { CONFIGURATION_VARIABLES } from './configuration-variables';

const ROOT = join(__dirname, '../../../../..');
const KNOWN = new Set(CONFIGURATION_VARIABLES.map(({ name }) => name));
const APPS = ['api', 'ingestor', 'projector'];

type Env = Record<string, string>;
type Manifest = { kind: string; metadata: { name: string }; [key: string]: unknown };

/** A compose value as docker-compose sees it when the variable is not set in the shell: `${X:-default}` → default. */
function interpolate(value: unknown, where: string): string {
  return String(value).replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    if (fallback === undefined) throw new Error(`${where}: \${${name}} has no default, so the file does not work as it is`);
    return fallback;
  });
}

/** The app a command starts: `dist/apps/<app>/src/main.js`. */
function appOf(command: unknown): string | undefined {
  const script = (command as string[]).find((part) => /^dist\/apps\/[^/]+\/src\/main\.js$/.test(part));
  return script?.split('/')[2];
}

function expectValidForApps(app: string, env: Env): void {
  const unknown = Object.keys(env).filter((name) => !KNOWN.has(name));
  expect({ app, unknown }).toEqual({ app, unknown: [] });
  const config = loadConfig(env); // throws a ConfigError naming the variable
  expect(config.database.kind).toBe('external');
  expect(config.http.host).toBe('0.0.0.0');
  if (app === 'api') expect(config.runProjections).toBe(false);
  if (app === 'ingestor') expect(config.kafka).toBeDefined();
  // Switching the event store is one variable: the connection string is there either way.
  expect(loadConfig({ ...env, EVENT_STORE: 'eventstoredb' }).eventStore.kind).toBe('eventstoredb');
}

describe('deployment: infra/compose/docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'infra/compose/docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; command?: string[]; environment?: Record<string, unknown>; healthcheck?: { test: string[] } }>;
  };
  const services = Object.entries(compose.services);
  const apps = services.filter(([, service]) => String(service.image ?? '').startsWith('rework-ledger'));
  const envOf = (name: string): Env =>
    Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([key, value]) => [key, interpolate(value, `${name}.${key}`)]));

  it('runs the api, the ingestor and the projector as separate services, each the app it is named after', () => {
    expect(apps.map(([name]) => name).sort()).toEqual(APPS);
    for (const [name, service] of apps) {
      expect(appOf(service.command)).toBe(name);
      expect(existsSync(join(ROOT, `apps/${name}/src/main.ts`))).toBe(true);
    }
  });

  it('gives every service a health check, the apps’ on their own PORT at /health', () => {
    for (const [name, service] of services) expect({ name, healthcheck: Boolean(service.healthcheck) }).toEqual({ name, healthcheck: true });
    for (const [name, service] of apps) expect(service.healthcheck?.test.join(' ')).toContain(`:${envOf(name)['PORT']}/health`);
  });

  it('sets only variables the apps know, with values they accept', () => {
    for (const [name] of apps) expectValidForApps(name, envOf(name));
  });

  it('points the apps at the services of the file', () => {
    const postgres = compose.services['postgres'].environment as Env;
    for (const [name] of apps) {
      const env = envOf(name);
      const database = new URL(env['DATABASE_URL']);
      expect([database.hostname, database.username, database.password, database.pathname]).toEqual(['postgres', postgres['POSTGRES_USER'], postgres['POSTGRES_PASSWORD'], `/${postgres['POSTGRES_DB']}`]);
      for (const broker of env['KAFKA_BROKERS'].split(',')) expect(Object.keys(compose.services)).toContain(broker.split(':')[0]);
      expect(Object.keys(compose.services)).toContain(new URL(env['EVENTSTORE_CONNECTION_STRING']).hostname);
    }
  });
});

describe('deployment: infra/k8s', () => {
  const dir = join(ROOT, 'infra/k8s');
  const files = readdirSync(dir).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
  const manifests: Manifest[] = files.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJSON() as Manifest));
  const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
  const named = (kind: string, name: string) => byKind(kind).find((manifest) => manifest.metadata.name === name) as Manifest & Record<string, never>;

  type Container = {
    command: string[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    env?: { name: string; value?: string; valueFrom?: unknown }[];
    ports?: { name: string; containerPort: number }[];
    readinessProbe?: { httpGet?: { path: string; port: string | number } };
    livenessProbe?: { httpGet?: { path: string; port: string | number } };
  };
  const containerOf = (deployment: Manifest): Container => (deployment as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0];
  /** What the container's process sees: the ConfigMaps and Secrets it loads, then its own env (which wins). */
  const envOf = (container: Container): Env => {
    const env: Env = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) Object.assign(env, (named('ConfigMap', source.configMapRef.name) as unknown as { data: Env }).data);
      if (source.secretRef) Object.assign(env, (named('Secret', source.secretRef.name) as unknown as { stringData: Env }).stringData);
    }
    for (const variable of container.env ?? []) env[variable.name] = String(variable.value ?? '');
    return env;
  };

  it('lists every manifest in kustomization.yaml', () => {
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
  });

  it('deploys the api, the ingestor and the projector, each the app it is named after, probed at /health on its PORT', () => {
    const apps = byKind('Deployment');
    expect(apps.map((deployment) => deployment.metadata.name).sort()).toEqual(APPS);
    for (const deployment of apps) {
      const container = containerOf(deployment);
      expect(appOf(container.command)).toBe(deployment.metadata.name);
      const port = container.ports?.find((p) => p.name === 'http');
      expect(String(port?.containerPort)).toBe(envOf(container)['PORT']);
      for (const probe of [container.readinessProbe, container.livenessProbe]) expect(probe?.httpGet).toEqual({ path: '/health', port: 'http' });
    }
  });

  it('sets only variables the apps know, with values they accept', () => {
    for (const deployment of byKind('Deployment')) expectValidForApps(deployment.metadata.name, envOf(containerOf(deployment)));
  });

  it('scales the ingestor within the partitions and keeps one projector standing by', () => {
    const partitions = Number(envOf(containerOf(named('Deployment', 'ingestor')))['KAFKA_TOPIC_PARTITIONS']);
    const autoscaler = named('HorizontalPodAutoscaler', 'ingestor') as unknown as { spec: { maxReplicas: number } };
    expect(autoscaler.spec.maxReplicas).toBeLessThanOrEqual(partitions);
    const projector = named('Deployment', 'projector') as unknown as { spec: { replicas: number } };
    expect(projector.spec.replicas).toBeGreaterThanOrEqual(1);
  });

  it('points the apps at the dependencies of dependencies.yaml', () => {
    const env = envOf(containerOf(named('Deployment', 'api')));
    const credentials = (named('Secret', 'postgres-credentials') as unknown as { stringData: Env }).stringData;
    const database = new URL(env['DATABASE_URL']);
    expect([database.username, database.password, database.pathname]).toEqual([credentials['POSTGRES_USER'], credentials['POSTGRES_PASSWORD'], `/${credentials['POSTGRES_DB']}`]);
    const serviceNames = byKind('Service').map((service) => service.metadata.name);
    expect(serviceNames).toContain(database.hostname);
    expect(serviceNames).toContain(new URL(env['EVENTSTORE_CONNECTION_STRING']).hostname);
    for (const broker of env['KAFKA_BROKERS'].split(',')) expect(serviceNames).toContain(broker.split(':')[0].split('.').at(-1));
  });
});
