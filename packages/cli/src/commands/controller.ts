import { Command } from 'commander';
import type { Admin } from '@gregor/client';
import { OutputOptions, outputOf, parseInteger, printJsonLines, withOutput } from '../options';
import { withAdmin } from './with-admin';

const POLL_MS = 250;

/** Polls until the metadata log's voters are `target` and no change is pending. */
async function waitForControllers(admin: Admin, target: readonly number[]): Promise<void> {
  for (;;) {
    const d = await admin.describeCluster();
    if (d.controllersTarget.length === 0 && d.controllers.join(',') === target.join(',')) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function changeCommand(parent: Command, action: 'add' | 'remove', description: string): void {
  withOutput(parent.command(`${action} <id>`))
    .description(description)
    .option('--wait', 'return once the metadata log\'s voters are the new set')
    .action(async (idRaw: string, opts: OutputOptions & { wait?: boolean }, cmd: Command) => {
      const id = parseInteger(1)(idRaw);
      await withAdmin(cmd, async (admin) => {
        const target = action === 'add' ? await admin.addController(id) : await admin.removeController(id);
        if (outputOf(opts) !== 'json') process.stdout.write(`controllers changing to ${target.join(',')}\n`);
        if (opts.wait) await waitForControllers(admin, target);
        if (outputOf(opts) === 'json') printJsonLines([{ controllers: target, done: opts.wait === true }]);
        else if (opts.wait) process.stdout.write(`controllers are ${target.join(',')}\n`);
      });
    });
}

export function controllerCommand(): Command {
  const controller = new Command('controller').description('the brokers voting on the cluster metadata log, changed one at a time');
  changeCommand(controller, 'add', 'make a broker a controller: it votes on the metadata log once its copy has caught up');
  changeCommand(controller, 'remove', 'take a broker\'s metadata vote away (it keeps following the log); refused for the only controller');
  return controller;
}
