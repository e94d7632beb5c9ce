import { AppShell, Button, Group, NavLink, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { clearToken } from '../auth/token-store';
import { MasterBanner } from '../shared/MasterBanner';

const NAV = [
  ['/', 'Overview'],
  ['/nodes', 'Nodes'],
  ['/spiders', 'Spiders'],
  ['/tasks', 'Tasks'],
  ['/schedules', 'Schedules'],
  ['/results', 'Results'],
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname.startsWith(to));
  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 180, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>Crawlnest</Title>
          <Button variant="subtle" size="xs" onClick={clearToken}>
            Sign out
          </Button>
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
