import { Stack, Title } from '@mantine/core';
import { DeliveriesPanel } from './DeliveriesPanel';
import { RulesPanel } from './RulesPanel';

/** On a spider's page: the rules covering it and its last alerts. */
export function SpiderAlerts({ spiderId }: { spiderId: string }) {
  return (
    <Stack>
      <Title order={4}>Rules</Title>
      <RulesPanel spiderId={spiderId} />
      <Title order={4}>Last alerts</Title>
      <DeliveriesPanel spiderId={spiderId} limit={10} filters={false} />
    </Stack>
  );
}
