import { Command } from 'commander';
import { OutputOptions, outputOf, printJsonLines, withOutput } from '../options';
import { namingLiveMembers, refuseLiveMembers } from '../groups/live-members';
import { withAdmin } from './with-admin';

const ACTION = 'delete it';

export function groupDeleteCommand(): Command {
  return withOutput(new Command('delete'))
    .argument('<group>')
    .description('delete a group without live members, with its committed offsets')
    .action(async (group: string, opts: OutputOptions, cmd: Command) => {
      await withAdmin(cmd, async (admin) => {
        await refuseLiveMembers(admin, group, ACTION);
        await namingLiveMembers(admin, group, ACTION, () => admin.deleteGroups([group]));
      });
      if (outputOf(opts) === 'json') printJsonLines([{ group, deleted: true }]);
      else process.stdout.write(`deleted group ${group}\n`);
    });
}
