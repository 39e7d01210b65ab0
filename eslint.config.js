// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The simulated world must never read the host's clock or entropy: every
// timestamp comes from the injected Clock and every choice from the injected
// Random, so that one seed replays one run exactly.
const hostTimeAndEntropy = [
  { object: 'Math', property: 'random', message: 'Use the injected Random (src/sim/random.ts).' },
  { object: 'Date', property: 'now', message: 'Use the injected Clock (src/sim/clock.ts).' },
  { object: 'performance', property: 'now', message: 'Use the injected Clock (src/sim/clock.ts).' },
  { object: 'process', property: 'hrtime', message: 'Use the injected Clock (src/sim/clock.ts).' },
];
const hostTimers = ['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
  name,
  message: 'Schedule through the injected Clock (src/sim/clock.ts).',
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/sim/**', 'src/labrpc/**', 'src/raft/**', 'src/harness/**', 'src/suite/**'],
    ignores: ['src/sim/real-clock.ts'],
    rules: {
      'no-restricted-properties': ['error', ...hostTimeAndEntropy],
      'no-restricted-globals': ['error', ...hostTimers, { name: 'Date', message: 'Use the injected Clock (src/sim/clock.ts).' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='globalThis'][property.name=/^(setTimeout|setInterval|setImmediate|Date|performance)$/]", message: 'Use the injected Clock.' },
      ],
    },
  },
);
