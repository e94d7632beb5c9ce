import { Command } from 'commander';
import { resolveProject, resolveUser } from '../api/resolve';
import type { Project, ProjectRole } from '../api/types';
import { connect } from '../context';
import { note, printJson, printTable } from '../output/print';

function projectRows(projects: Project[]): void {
  printTable(
    ['id', 'name', 'your role', 'members'],
    projects.map((p) => [p.id, p.name, p.role ?? '(admin)', p.members.map((m) => `${m.username}:${m.role}`).join(', ')]),
  );
}

export function projectsCommand(): Command {
  const cmd = new Command('projects').description('list and create projects, manage their members');
  cmd
    .command('ls')
    .description('the projects you are in (admins: all)')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const projects = await connect().listProjects();
      if (o.json) printJson(projects);
      else projectRows(projects);
    });
  cmd
    .command('create <name>')
    .description('create a project (admins)')
    .option('--description <text>', 'free text', '')
    .option('--json', 'print the API object')
    .action(async (name: string, o: { description: string; json?: boolean }) => {
      const p = await connect().createProject({ name, description: o.description });
      if (o.json) printJson(p);
      else note(`created project ${p.name} (${p.id})`);
    });
  cmd
    .command('add-member <project> <user>')
    .description("add a member or change their role (the project's owners, admins)")
    .requiredOption('--role <role>', 'viewer, runner, editor or owner')
    .action(async (projectRef: string, userRef: string, o: { role: ProjectRole }) => {
      const api = connect();
      const [p, u] = await Promise.all([resolveProject(api, projectRef), resolveUser(api, userRef)]);
      await api.setMember(p.id, u.id, o.role);
      note(`${u.username} is ${o.role} in ${p.name}`);
    });
  cmd
    .command('rm-member <project> <user>')
    .description('remove a member')
    .action(async (projectRef: string, userRef: string) => {
      const api = connect();
      const [p, u] = await Promise.all([resolveProject(api, projectRef), resolveUser(api, userRef)]);
      await api.removeMember(p.id, u.id);
      note(`${u.username} removed from ${p.name}`);
    });
  return cmd;
}
