import { Stack, Tabs, Title } from '@mantine/core';
import { ChannelsPanel } from './ChannelsPanel';
import { DeliveriesPanel } from './DeliveriesPanel';
import { RulesPanel } from './RulesPanel';

export default function NotificationsPage() {
  return (
    <Stack>
      <Title order={2}>Notifications</Title>
      <Tabs defaultValue="channels" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="channels">Channels</Tabs.Tab>
          <Tabs.Tab value="rules">Rules</Tabs.Tab>
          <Tabs.Tab value="deliveries">Deliveries</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="channels" pt="md"><ChannelsPanel /></Tabs.Panel>
        <Tabs.Panel value="rules" pt="md"><RulesPanel /></Tabs.Panel>
        <Tabs.Panel value="deliveries" pt="md"><DeliveriesPanel /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
