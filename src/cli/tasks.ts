/** `evo-compute tasks`: the task catalogue, one task a line (or JSON with `--json`). */
import type { Command } from 'commander';
import { CATALOGUE_SDK_VERSION, CATALOGUE_TASKS } from '../common/tasks/catalogue';

export function registerTasks(program: Command): void {
  program
    .command('tasks')
    .description(`list the typed task catalogue (from the Python SDK evo-compute ${CATALOGUE_SDK_VERSION})`)
    .option('--json', 'print the catalogue as JSON')
    .action((options: { json?: boolean }) => {
      if (options.json) {
        const list = CATALOGUE_TASKS.map(({ topic, task, preview, required }) => ({
          topic,
          task,
          preview,
          required,
        }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const names = CATALOGUE_TASKS.map((task) => `${task.topic}/${task.task}`);
      const width = Math.max(...names.map((name) => name.length));
      CATALOGUE_TASKS.forEach((task, index) => {
        const name = (names[index] ?? '').padEnd(width);
        const preview = task.preview ? 'preview' : '       ';
        process.stdout.write(`${name}  ${preview}  requires ${task.required.join(', ') || 'nothing'}\n`);
      });
    });
}
