import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { buildProgram } from '@gregor/cli';
import { runGregor } from './helpers/run-gregor';

function find(names: string[]): Command {
  return names.reduce((c: Command, name) => c.commands.find((s) => s.name() === name)!, buildProgram());
}

describe('gregor output options', () => {
  it('offers --output json|table (and --json) on every command that prints data', () => {
    const printing = ['topic create', 'topic list', 'topic describe', 'topic alter', 'offsets', 'group list', 'group describe', 'group reset-offsets', 'group delete', 'cluster describe'];
    for (const names of printing) {
      const options = find(names.split(' ')).options;
      const output = options.find((o) => o.long === '--output');
      expect({ names, choices: output?.argChoices, default: output?.defaultValue }).toEqual({ names, choices: ['json', 'table'], default: 'table' });
      expect(options.some((o) => o.long === '--json')).toBe(true);
    }
  });

  it('refuses an output format it does not know', async () => {
    const result = await runGregor(['topic', 'list', '--output', 'yaml']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Allowed choices are json, table');
  });

  it('prints its version', async () => {
    const result = await runGregor(['--version']);
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('says where records without a key go', () => {
    const key = find(['produce']).options.find((o) => o.long === '--key')!;
    expect(key.description).not.toContain('spread');
    expect(key.description).toContain('fill one partition');
  });
});
