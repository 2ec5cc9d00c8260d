import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SETTINGS, loadBrokerConfig } from '@gregor/broker';
import { parseYamlSubset, YamlValue } from './helpers/yaml-subset';

const ROOT = path.resolve(__dirname, '../../..');

type YamlMap = { [key: string]: YamlValue };

function asMap(value: YamlValue | undefined, what: string): YamlMap {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a map`);
  return value;
}

function asList(value: YamlValue | undefined, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error(`${what} must be a list of strings`);
  return value as string[];
}

function asString(value: YamlValue | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string`);
  return value;
}

/** "1=broker-1:7070/7080,2=..." as id -> addresses. */
function parsePeers(peers: string): Record<string, string> {
  return Object.fromEntries(peers.split(',').map((entry) => {
    const [id, address] = entry.split('=');
    return [id, address];
  }));
}

describe('docker-compose.yml', () => {
  const compose = asMap(parseYamlSubset(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')), 'the file');
  const services = asMap(compose.services, 'services');
  const brokers = Object.keys(services).filter((name) => name.startsWith('broker-'));
  const env = (service: string): YamlMap => asMap(asMap(services[service], service).environment, `${service}.environment`);

  test('names three brokers, each with its own id', () => {
    expect(brokers).toEqual(['broker-1', 'broker-2', 'broker-3']);
    expect(brokers.map((b) => env(b).GREGOR_BROKER_ID)).toEqual(['1', '2', '3']);
  });

  test('every broker has the same peer list, naming every broker at its service name, client port and peer port', () => {
    const lists = brokers.map((b) => asString(env(b).GREGOR_PEERS, `${b} GREGOR_PEERS`));
    expect(new Set(lists).size).toBe(1);
    const peers = parsePeers(lists[0]);
    expect(Object.keys(peers).sort()).toEqual(brokers.map((b) => asString(env(b).GREGOR_BROKER_ID, 'id')).sort());
    for (const broker of brokers) {
      const e = env(broker);
      const service = asMap(services[broker], broker);
      expect(peers[asString(e.GREGOR_BROKER_ID, 'id')]).toBe(`${broker}:${asString(e.GREGOR_PORT, 'port')}/${asString(e.GREGOR_PEER_PORT, 'peer port')}`);
      expect(service.hostname ?? broker).toBe(broker);
      expect(e.GREGOR_HOST).toBe('0.0.0.0');
    }
  });

  test('every broker names the same three controllers, all of them brokers', () => {
    const controllers = brokers.map((b) => asString(env(b).GREGOR_CONTROLLERS, `${b} GREGOR_CONTROLLERS`));
    expect(new Set(controllers).size).toBe(1);
    expect(controllers[0].split(',').sort()).toEqual(['1', '2', '3']);
  });

  test('each broker keeps its data in its own declared volume and publishes its own loopback client, Kafka, MQTT and metrics ports, advertising the first two, and not its peer port', () => {
    const volumes = asMap(compose.volumes, 'volumes');
    const used = new Set<string>();
    const hostPorts = new Set<string>();
    for (const broker of brokers) {
      const service = asMap(services[broker], broker);
      const e = env(broker);
      const [mount] = asList(service.volumes, `${broker}.volumes`);
      const [volume, target] = mount.split(':');
      expect(target).toBe(e.GREGOR_DATA_DIR);
      expect(Object.keys(volumes)).toContain(volume);
      used.add(volume);
      const [published, kafka, mqtt, metrics, ...more] = asList(service.ports, `${broker}.ports`);
      expect(more).toEqual([]);
      // MQTT clients and browsers connect where they were pointed: nothing to advertise.
      for (const [ports, containerPort] of [[mqtt, e.GREGOR_MQTT_PORT], [metrics, e.GREGOR_METRICS_PORT]]) {
        const [host, hostPort, inContainer] = (ports as string).split(':');
        expect([host, inContainer]).toEqual(['127.0.0.1', containerPort]);
        hostPorts.add(hostPort);
      }
      const listeners: Array<[string, unknown, unknown]> = [[published, e.GREGOR_PORT, e.GREGOR_ADVERTISED_ADDRESS], [kafka, e.GREGOR_KAFKA_PORT, e.GREGOR_KAFKA_ADVERTISED_ADDRESS]];
      for (const [ports, containerPortOf, advertised] of listeners) {
        const [host, hostPort, containerPort] = ports.split(':');
        expect(host).toBe('127.0.0.1');
        expect(containerPort).toBe(containerPortOf);
        expect(advertised).toBe(`127.0.0.1:${hostPort}`);
        hostPorts.add(hostPort);
      }
      expect(service.build).toBe('.');
    }
    expect(used.size).toBe(3);
    expect(hostPorts.size).toBe(12);
  });

  test('Prometheus scrapes every broker at its metrics port, and Grafana is given that Prometheus and the dashboard', () => {
    const scrape = fs.readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
    for (const broker of brokers) expect(scrape).toContain(`"${broker}:${asString(env(broker).GREGOR_METRICS_PORT, 'metrics port')}"`);
    const prometheus = asMap(services.prometheus, 'prometheus');
    expect(asList(prometheus.volumes, 'prometheus.volumes')).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const grafana = asMap(services.grafana, 'grafana');
    expect(asList(grafana.volumes, 'grafana.volumes')).toEqual(['./deploy/grafana/provisioning:/etc/grafana/provisioning:ro', './deploy/grafana/gregor.json:/var/lib/grafana/dashboards/gregor.json:ro']);
    expect(fs.readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')).toContain('url: http://prometheus:9090');
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/gregor.json'), 'utf8'));
    expect(dashboard.panels.every((p: { datasource: { uid: string } }) => p.datasource.uid === 'prometheus')).toBe(true);
  });

  test('the broker accepts every service\'s environment as its configuration', () => {
    const known = new Set(CONFIG_SETTINGS.map((setting) => setting.env));
    for (const broker of brokers) {
      const environment = env(broker);
      for (const name of Object.keys(environment)) expect(known).toContain(name);
      const config = loadBrokerConfig({ env: environment as Record<string, string> });
      expect(config).toMatchObject({ brokerId: Number(environment.GREGOR_BROKER_ID), host: '0.0.0.0', port: 7070, peerPort: 7080, dataDir: '/data' });
      expect(config.peers).toBe(environment.GREGOR_PEERS);
    }
  });

  test('the image the services build runs the broker from the built CLI', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "packages\/cli\/dist\/main\.js", "broker", "start"\]$/m);
    // Every workspace's package.json is copied before `npm ci`, or the install would miss a workspace.
    const workspaces: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).workspaces;
    for (const workspace of workspaces) expect(dockerfile).toContain(`COPY ${workspace}/package.json ${workspace}/`);
  });
});
