// One swc transform for unit and e2e configs. legacyDecorator + decoratorMetadata are
// required, or Nest's injected dependencies silently come out undefined (TOOLCHAIN.md).
module.exports = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
