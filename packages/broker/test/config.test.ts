import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONFIG_SETTINGS, defaultBrokerConfig, loadBrokerConfig } from '@gregor/broker';

describe('broker config', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = (contents: unknown): string => {
    const p = path.join(dir, 'broker.json');
    fs.writeFileSync(p, JSON.stringify(contents));
    return p;
  };

  it('has documented defaults: port 7070, data in ./data, loopback', () => {
    expect(loadBrokerConfig()).toEqual(defaultBrokerConfig());
    expect(defaultBrokerConfig()).toMatchObject({ port: 7070, dataDir: './data', host: '127.0.0.1', logLevel: 'info' });
  });

  it('takes flags over environment over file over defaults', () => {
    const configFile = file({ port: 1111, dataDir: '/from-file', maxRequestBytes: 2048, topicDefaults: { 'retention.ms': 1000 } });
    const env = { GREGOR_PORT: '2222', GREGOR_DATA_DIR: '/from-env' };
    const config = loadBrokerConfig({ flags: { port: '3333' }, env, configFile });
    expect(config.port).toBe(3333);
    expect(config.dataDir).toBe('/from-env');
    expect(config.maxRequestBytes).toBe(2048);
    expect(config.topicDefaults).toEqual({ 'retention.ms': '1000' });
    expect(config.fetchMaxWaitMs).toBe(defaultBrokerConfig().fetchMaxWaitMs);
  });

  it('rejects bad values, naming the setting and where it came from', () => {
    expect(() => loadBrokerConfig({ flags: { port: 'http' } })).toThrow(/port from --port: expected an integer/);
    expect(() => loadBrokerConfig({ env: { GREGOR_PORT: '70000' } })).toThrow(/GREGOR_PORT.*\[0, 65535\]/);
    expect(() => loadBrokerConfig({ env: { GREGOR_LOG_LEVEL: 'loud' } })).toThrow(/logLevel/);
    expect(() => loadBrokerConfig({ configFile: file({ prot: 1 }) })).toThrow(/unknown key prot/);
    expect(() => loadBrokerConfig({ configFile: path.join(dir, 'missing.json') })).toThrow(/cannot read config file/);
    expect(() => loadBrokerConfig({ configFile: file([1]) })).toThrow(/JSON object/);
  });

  it('reads auto.balance as a boolean from a flag, the environment, or a config file under either spelling', () => {
    expect(loadBrokerConfig({}).autoBalance).toBe(false);
    expect(loadBrokerConfig({ flags: { autoBalance: 'true' } }).autoBalance).toBe(true);
    expect(loadBrokerConfig({ env: { GREGOR_AUTO_BALANCE: 'false' }, configFile: file({ autoBalance: true }) }).autoBalance).toBe(false);
    expect(loadBrokerConfig({ configFile: file({ 'auto.balance': true }) }).autoBalance).toBe(true);
    expect(() => loadBrokerConfig({ flags: { autoBalance: 'yes' } })).toThrow(/autoBalance from --auto-balance: expected true or false, got "yes"/);
  });

  it('gives every setting a flag, a GREGOR_ environment variable and a description', () => {
    for (const s of CONFIG_SETTINGS) {
      expect(s.flag).toBe('--' + s.key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
      expect(s.env).toBe('GREGOR_' + s.key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase());
      expect(s.description.length).toBeGreaterThan(5);
    }
  });
});
