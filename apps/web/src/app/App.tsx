import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { isSignedIn, onTokenChange } from '../auth/token-store';
import { SignInPage } from '../auth/SignInPage';
import { OverviewPage } from '../overview/OverviewPage';
import { Layout } from './Layout';
import { makeQueryClient } from './query-client';
import { PageLoader } from '../shared/PageLoader';
import { prefetchResultsRoute } from '../results/results-route.prefetch';

// Pages other than the overview load on first visit: the initial route stays small.
const NodesPage = lazy(() => import('../nodes/NodesPage'));
const NodePage = lazy(() => import('../nodes/NodePage'));
const SpidersPage = lazy(() => import('../spiders/SpidersPage'));
const SpiderPage = lazy(() => import('../spiders/SpiderPage'));
const TasksPage = lazy(() => import('../tasks/TasksPage'));
const TaskPage = lazy(() => import('../tasks/TaskPage'));
const SchedulesPage = lazy(() => import('../schedules/SchedulesPage'));
const ResultsPage = lazy(() => import('../results/ResultsPage'));
const UsersPage = lazy(() => import('../access/UsersPage'));
const ProjectsPage = lazy(() => import('../access/ProjectsPage'));
const TokensPage = lazy(() => import('../access/TokensPage'));
const AuditPage = lazy(() => import('../access/AuditPage'));
const NotificationsPage = lazy(() => import('../notifications/NotificationsPage'));

const queryClient = makeQueryClient();
// A deep link's data is asked for while its lazy page still loads.
if (isSignedIn()) prefetchResultsRoute(queryClient, new URL(window.location.href));

export function App() {
  const [token, setToken] = useState(isSignedIn());
  useEffect(
    () =>
      onTokenChange((t) => {
        setToken(t !== null);
        // Signed out (or a 401): nothing cached under the old token stays on screen.
        if (!t) queryClient.clear();
      }),
    [],
  );
  return (
    <MantineProvider defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        {token ? (
          <BrowserRouter>
            <Layout>
              <Suspense fallback={<PageLoader />}>
                <Routes>
                  <Route path="/" element={<OverviewPage />} />
                  <Route path="/nodes" element={<NodesPage />} />
                  <Route path="/nodes/:id" element={<NodePage />} />
                  <Route path="/spiders" element={<SpidersPage />} />
                  <Route path="/spiders/:id" element={<SpiderPage />} />
                  <Route path="/tasks" element={<TasksPage />} />
                  <Route path="/tasks/:id" element={<TaskPage />} />
                  <Route path="/schedules" element={<SchedulesPage />} />
                  <Route path="/results" element={<ResultsPage />} />
                  <Route path="/users" element={<UsersPage />} />
                  <Route path="/projects" element={<ProjectsPage />} />
                  <Route path="/tokens" element={<TokensPage />} />
                  <Route path="/audit" element={<AuditPage />} />
                  <Route path="/notifications" element={<NotificationsPage />} />
                  <Route path="*" element={<Navigate to="/" replace />} />
                </Routes>
              </Suspense>
            </Layout>
          </BrowserRouter>
        ) : (
          <SignInPage />
        )}
      </QueryClientProvider>
    </MantineProvider>
  );
}
