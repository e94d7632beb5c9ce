import { Button, Group, Modal, Text, type ButtonProps } from '@mantine/core';
import { useState, type ReactNode } from 'react';

type Props = ButtonProps & {
  /** What the dialog asks, e.g. "Delete spider quotes?" */
  question: string;
  /** The confirming button's text (defaults to the trigger's own). */
  confirmLabel?: string;
  onConfirm: () => void;
  children: ReactNode;
  'aria-label'?: string;
};

/** A button that asks first, in the app's own dialog (never the browser's `confirm()`). */
export function ConfirmButton({ question, confirmLabel, onConfirm, children, ...button }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)}>{children}</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Please confirm" centered>
        <Text mb="md">{question}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setOpen(false)}>Keep</Button>
          <Button color={button.color ?? 'red'} data-autofocus onClick={() => { setOpen(false); onConfirm(); }}>
            {confirmLabel ?? children}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
