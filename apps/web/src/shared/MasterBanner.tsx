import { Alert, Button, Group, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useMasterReachable } from '../api/reachability';

/** Shown while the master does not answer; live figures and badges are greyed as stale meanwhile. */
export function MasterBanner() {
  const reachable = useMasterReachable();
  const qc = useQueryClient();
  const [retrying, setRetrying] = useState(false);
  if (reachable) return null;
  const retry = () => {
    setRetrying(true);
    qc.refetchQueries({ type: 'active' }).finally(() => setRetrying(false));
  };
  return (
    <Alert color="orange" role="alert" mb="md" title="The master cannot be reached">
      <Group justify="space-between">
        <Text size="sm">No answer from the master. What you see is the last known state (greyed); it refreshes by itself when the master answers again.</Text>
        <Button size="xs" variant="light" color="orange" onClick={retry} loading={retrying}>Retry now</Button>
      </Group>
    </Alert>
  );
}
