/**
 * `idsync task list | get | retry | dismiss`: provisioning jobs that need a
 * person, with the target's own words and the fix.
 */
import { Option, type Command } from 'commander';
import type { App } from '../app.js';
import { MAX_PAGE_SIZE } from '../services/admin-paging.js';
import { TaskService, type TaskView } from '../services/provisioning/tasks.js';
import { CLI_ACTOR, dbOption, integerArg, jsonOption, orgOption, requireOrg, withApp, type DbOptions, type JsonOptions } from './common.js';
import { emit, keyValues, table } from './output.js';

type OrgOptions = DbOptions & JsonOptions & { org: string };

interface ListOptions extends OrgOptions {
  state: string;
  app?: string;
  limit: number;
  after?: string;
}

async function taskService(app: App, orgName: string): Promise<TaskService> {
  return new TaskService(app.ctx, await requireOrg(app, orgName));
}

const targetText = (t: TaskView): string => `${t.targetType} ${t.targetName ?? `${t.localId} (no longer in the hub)`}`;

function taskLines(t: TaskView): string[] {
  return keyValues([
    ['id', t.id],
    ['state', t.state],
    ['app', `${t.appName} (${t.appId})`],
    ['target', `${targetText(t)} (${t.localId})`],
    ['operation', t.operation],
    ['code', t.code],
    ['message', t.message],
    ['target says', t.targetMessage],
    ['fix', t.fix],
    ['created', t.created],
    ['updated', t.updated],
  ]);
}

function taskCommand(parent: Command, name: string): Command {
  return jsonOption(dbOption(orgOption(parent.command(name))));
}

export function registerTask(program: Command): void {
  const task = program.command('task').description('provisioning tasks (pushes that need a person): list, get, retry, dismiss');

  taskCommand(task, 'list')
    .description('list tasks, newest first')
    .addOption(new Option('--state <state>', 'which tasks').choices(['open', 'dismissed', 'resolved', 'all']).default('open'))
    .option('--app <app>', 'only tasks of this app (name or id)')
    .option('--limit <n>', `how many (1-${MAX_PAGE_SIZE})`, integerArg(1, MAX_PAGE_SIZE), 100)
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .action(async (opts: ListOptions) => {
      await withApp(opts, async (app) => {
        const tasks = await taskService(app, opts.org);
        const page = await tasks.list({
          limit: opts.limit,
          ...(opts.state === 'all' ? {} : { state: opts.state }),
          ...(opts.app === undefined ? {} : { app: opts.app }),
          ...(opts.after === undefined ? {} : { after: opts.after }),
        });
        const again = `idsync task list --org ${tasks.org.name} --state ${opts.state}${opts.app === undefined ? '' : ` --app ${opts.app}`}`;
        emit(opts.json, { tasks: page.items, next: page.next }, () =>
          page.items.length === 0
            ? [`no ${opts.state === 'all' ? '' : `${opts.state} `}tasks in org "${tasks.org.name}"`]
            : [
                ...table(
                  ['ID', 'STATE', 'APP', 'TARGET', 'OPERATION', 'CODE', 'UPDATED'],
                  page.items.map((t) => [t.id, t.state, t.appName, targetText(t), t.operation, t.code, t.updated]),
                ),
                ...(page.next === null ? [] : [`(more: ${again} --after ${page.next})`]),
              ],
        );
      });
    });

  taskCommand(task, 'get')
    .description("show a task: what failed, the target's message and the fix")
    .argument('<id>', 'task id (tsk_...)')
    .action(async (id: string, opts: OrgOptions) => {
      await withApp(opts, async (app) => {
        const t = await (await taskService(app, opts.org)).get(id);
        emit(opts.json, t, () => taskLines(t));
      });
    });

  taskCommand(task, 'retry')
    .description('queue the push again; the task is resolved when it succeeds')
    .argument('<id>', 'task id (tsk_...)')
    .action(async (id: string, opts: OrgOptions) => {
      await withApp(opts, async (app) => {
        const r = await (await taskService(app, opts.org)).retry(id, CLI_ACTOR);
        emit(opts.json, r, () => [
          `queued job ${r.jobId} for ${targetText(r.task)} at app "${r.task.appName}"; task ${r.task.id} stays open until the push succeeds`,
          ...(r.note === null ? [] : [r.note]),
        ]);
      });
    });

  taskCommand(task, 'dismiss')
    .description('close a task without acting on it')
    .argument('<id>', 'task id (tsk_...)')
    .action(async (id: string, opts: OrgOptions) => {
      await withApp(opts, async (app) => {
        const t = await (await taskService(app, opts.org)).dismiss(id, CLI_ACTOR);
        emit(opts.json, t, () => `dismissed task ${t.id} (${t.code} for ${targetText(t)} at app "${t.appName}")`);
      });
    });
}
