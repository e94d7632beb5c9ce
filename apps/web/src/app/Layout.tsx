import { AppShell, Button, Group, NavLink, Select, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { api } from '../api/client';
import { clearToken, hasCookieSession } from '../auth/token-store';
import { setCurrentProject, useCurrentProject, useMe } from '../access/use-access';
import { MasterBanner } from '../shared/MasterBanner';

const NAV = [
  ['/', 'Overview'],
  ['/nodes', 'Nodes'],
  ['/spiders', 'Spiders'],
  ['/tasks', 'Tasks'],
  ['/schedules', 'Schedules'],
  ['/results', 'Results'],
  ['/notifications', 'Notifications'],
  ['/projects', 'Projects'],
  ['/users', 'Users'],
  ['/tokens', 'Tokens'],
  ['/audit', 'Audit'],
] as const;

async function signOut(): Promise<void> {
  // A cookie session ends on the master too; a pasted token is only forgotten here.
  if (hasCookieSession()) await api.logout().catch(() => undefined);
  clearToken();
}

/** The header's project switcher: lists and new spiders follow the project chosen. */
function ProjectSwitcher() {
  const me = useMe();
  const current = useCurrentProject();
  const options = [{ value: '', label: 'All my projects' }, ...(me.data?.projects ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.role})` }))];
  return <Select aria-label="Project" size="xs" w={220} data={options} value={current} onChange={(v) => setCurrentProject(v ?? '')} allowDeselect={false} />;
}

export function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const me = useMe();
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname.startsWith(to));
  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 180, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>Crawlnest</Title>
          <Group gap="sm">
            <ProjectSwitcher />
            {me.data && (
              <Text size="sm" aria-label="Signed in as">
                {me.data.username} ({me.data.role})
              </Text>
            )}
            <Button variant="subtle" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.map(([to, label]) => (
          <NavLink key={to} component={Link} to={to} label={label} active={active(to)} aria-current={active(to) ? 'page' : undefined} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <MasterBanner />
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
