/**
 * Multer's limits are fixed when the decorator is evaluated, before config is read, so
 * main() fills this object in place from the validated config before the app is created.
 */
export const MULTIPART_LIMITS: { fileSize: number; files: number; fieldSize: number } = {
  fileSize: 512 * 1024 * 1024,
  files: 10_000,
  fieldSize: 1024 * 1024,
};
